import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';

/**
 * Contract 004 search on MySQL/MariaDB: an inverted index in plain InnoDB tables replaces the
 * FULLTEXT index of 0003 (which cost several µs per matching document, 35–110 ms for a common
 * term in 100k prompts). See core's `PostingSearchIndex` for how the tables are read.
 * - `nanobanana_search_docs`: one row per indexed task; `seq` gives the newest-first order and
 *   `terms` lists the distinct terms, so a delete knows which postings to remove;
 * - `nanobanana_search_postings`: (term, owner_key, seq) → term frequency and document length;
 * - `nanobanana_search_terms`: (term, owner_key) → document count; term '' counts the
 *   workspace's documents and tokens.
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
    `CREATE TABLE nanobanana_search_postings (
       term VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       owner_key VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       seq BIGINT UNSIGNED NOT NULL,
       tf SMALLINT UNSIGNED NOT NULL,
       doc_len SMALLINT UNSIGNED NOT NULL,
       PRIMARY KEY (term, owner_key, seq)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
  await sequelize.query(
    `CREATE TABLE nanobanana_search_terms (
       term VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       owner_key VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
       docs INT NOT NULL,
       tokens BIGINT NOT NULL DEFAULT 0,
       PRIMARY KEY (term, owner_key)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
  await backfill(sequelize);
  await sequelize.query('ALTER TABLE nanobanana_tasks DROP INDEX nanobanana_tasks_search');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'sqlite') return;
  for (const table of ['nanobanana_search_terms', 'nanobanana_search_postings', 'nanobanana_search_docs'])
    await sequelize.query(`DROP TABLE IF EXISTS ${table}`);
  await sequelize.query(
    'ALTER TABLE nanobanana_tasks ADD FULLTEXT INDEX nanobanana_tasks_search (search_text)',
  );
}

/** The term form of core's `postingTerm` at the time of this migration (a migration never changes). */
function postingTerm(token: string): string {
  const folded = token
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFKC');
  return [...folded].slice(0, 64).join('');
}

/** Indexes the tasks that exist, oldest first, from `search_text` (`_token_ _token_ …`). */
async function backfill(sequelize: Sequelize): Promise<void> {
  const esc = (value: string | number) => sequelize.escape(value);
  const counts = new Map<string, { docs: number; tokens: number }>();
  let after: { created_at: Date; task_id: string } | null = null;
  for (;;) {
    const rows: { task_id: string; owner_key: string; search_text: string; created_at: Date }[] =
      await sequelize.query(
        `SELECT task_id, owner_key, search_text, created_at FROM nanobanana_tasks
         ${after ? 'WHERE (created_at, task_id) > (:at, :id)' : ''}
         ORDER BY created_at, task_id LIMIT 500`,
        {
          type: QueryTypes.SELECT,
          replacements: after ? { at: after.created_at, id: after.task_id } : {},
        },
      );
    if (rows.length === 0) break;
    after = rows.at(-1)!;
    for (const row of rows) {
      const tokens = row.search_text
        .split(' ')
        .map((wrapped) => wrapped.replace(/^_|_$/g, ''))
        .filter(Boolean);
      const frequencies = new Map<string, number>();
      for (const token of tokens) {
        const term = postingTerm(token);
        if (term) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      }
      const length = Math.min(tokens.length, 65_535);
      await sequelize.query(
        `INSERT INTO nanobanana_search_docs (task_id, owner_key, doc_len, terms)
         VALUES (${esc(row.task_id)}, ${esc(row.owner_key)}, ${length}, ${esc([...frequencies.keys()].join(' '))})`,
      );
      const [inserted] = await sequelize.query<{ seq: string }>(
        'SELECT seq FROM nanobanana_search_docs WHERE task_id = :id',
        { type: QueryTypes.SELECT, replacements: { id: row.task_id } },
      );
      if (frequencies.size)
        await sequelize.query(
          `INSERT INTO nanobanana_search_postings (term, owner_key, seq, tf, doc_len) VALUES ${[
            ...frequencies,
          ]
            .map(
              ([term, tf]) =>
                `(${esc(term)}, ${esc(row.owner_key)}, ${inserted!.seq}, ${Math.min(tf, 65_535)}, ${length})`,
            )
            .join(', ')}`,
        );
      const add = (term: string, tokens: number) => {
        const key = `${term}\u0000${row.owner_key}`;
        const current = counts.get(key) ?? { docs: 0, tokens: 0 };
        counts.set(key, { docs: current.docs + 1, tokens: current.tokens + tokens });
      };
      for (const term of frequencies.keys()) add(term, 0);
      add('', length);
    }
  }
  const values = [...counts].map(([key, { docs, tokens }]) => {
    const [term, owner] = key.split('\u0000') as [string, string];
    return `(${esc(term)}, ${esc(owner)}, ${docs}, ${tokens})`;
  });
  for (let start = 0; start < values.length; start += 1000)
    await sequelize.query(
      `INSERT INTO nanobanana_search_terms (term, owner_key, docs, tokens) VALUES ${values.slice(start, start + 1000).join(', ')}`,
    );
}
