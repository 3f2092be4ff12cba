import { QueryTypes, type QueryInterface } from 'sequelize';
import { PostingSearchIndex } from '@dreamloom/core';

/**
 * Contract 004 search on MySQL/MariaDB: an inverted index in plain InnoDB tables replaces the
 * FULLTEXT index of 0003 (which cost several µs per matching document, 35–110 ms for a common
 * term in 100k prompts). See core's `PostingSearchIndex` for how the tables are read.
 * - `nanobanana_search_docs`: one row per indexed task; `seq` gives the newest-first order and
 *   `terms` lists its distinct terms, so a delete knows which postings to take out;
 * - `nanobanana_search_blocks`: (term, owner_key, block) → the packed postings of that term in
 *   that workspace for one range of 4096 seqs (core's posting-block.ts);
 * - `nanobanana_search_owners`: documents and tokens per workspace (BM25's N and average length).
 * Existing tasks are indexed from their stored jieba tokens. SQLite keeps its FTS5 table.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'sqlite') return;
  await sequelize.query(
    `CREATE TABLE nanobanana_search_docs (
       seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
       task_id VARCHAR(36) NOT NULL,
       owner_key VARCHAR(36) NOT NULL,
       doc_len SMALLINT UNSIGNED NOT NULL,
       terms TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       UNIQUE KEY nanobanana_search_docs_task (task_id),
       CONSTRAINT nanobanana_search_docs_task_fk FOREIGN KEY (task_id) REFERENCES nanobanana_tasks (task_id)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  );
  await sequelize.query(
    `CREATE TABLE nanobanana_search_blocks (
       term VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       owner_key VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       block INT UNSIGNED NOT NULL,
       entries MEDIUMBLOB NOT NULL,
       PRIMARY KEY (term, owner_key, block)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
  await sequelize.query(
    `CREATE TABLE nanobanana_search_owners (
       owner_key VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
       docs INT NOT NULL,
       tokens BIGINT NOT NULL
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
  // Existing tasks, oldest first (so seq follows creation), from `search_text` (`_token_ …`).
  // The backfill writes through core's index code: there is one definition of the block layout.
  const index = new PostingSearchIndex(sequelize, 1);
  let after: { created_at: Date; task_id: string } | null = null;
  for (;;) {
    const rows: { task_id: string; owner_key: string; search_text: string; created_at: Date }[] =
      await sequelize.query(
        `SELECT task_id, owner_key, search_text, created_at FROM nanobanana_tasks
         ${after ? 'WHERE (created_at, task_id) > (:at, :id)' : ''}
         ORDER BY created_at, task_id LIMIT 1000`,
        {
          type: QueryTypes.SELECT,
          replacements: after ? { at: after.created_at, id: after.task_id } : {},
        },
      );
    if (rows.length === 0) break;
    after = rows.at(-1)!;
    const documents = rows.map((row) => ({
      taskId: row.task_id,
      ownerKey: row.owner_key,
      tokens: row.search_text
        .split(' ')
        .map((wrapped) => wrapped.replace(/^_|_$/g, ''))
        .filter(Boolean),
    }));
    await sequelize.transaction((transaction) => index.add(documents, transaction));
  }
  await sequelize.query('ALTER TABLE nanobanana_tasks DROP INDEX nanobanana_tasks_search');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'sqlite') return;
  for (const table of ['nanobanana_search_owners', 'nanobanana_search_blocks', 'nanobanana_search_docs'])
    await sequelize.query(`DROP TABLE IF EXISTS ${table}`);
  await sequelize.query(
    'ALTER TABLE nanobanana_tasks ADD FULLTEXT INDEX nanobanana_tasks_search (search_text)',
  );
}
