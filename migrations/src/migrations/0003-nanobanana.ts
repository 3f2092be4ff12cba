import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 004 (NanoBanana) on the one generation engine:
 * - `generation_task_items`: per-position bookkeeping of tasks that fan out into parallel sub-jobs;
 * - `generation_task_credentials`: a caller-supplied provider key, sealed, deleted when the task ends;
 * - `nanobanana_tasks`: the contract's view (workspace, raw options) and a jieba-segmented search
 *   column, indexed by FULLTEXT on MySQL/MariaDB and by an FTS5 table on SQLite.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const time = () => ({ type: DataTypes.DATE(3), allowNull: false });
  const taskRef = () => ({
    type: DataTypes.STRING(36),
    allowNull: false,
    primaryKey: true,
    references: { model: 'generation_tasks', key: 'id' },
    onDelete: 'CASCADE',
  });
  await qi.createTable('generation_task_items', {
    task_id: taskRef(),
    position: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    error_message: { type: DataTypes.STRING(1024), allowNull: true },
    updated_at: time(),
  });
  await qi.addIndex('generation_task_items', ['task_id', 'status'], { name: 'generation_task_items_status' });
  await qi.createTable('generation_task_credentials', {
    task_id: taskRef(),
    secret_enc: { type: DataTypes.TEXT, allowNull: false },
    created_at: time(),
  });
  await qi.createTable('nanobanana_tasks', {
    task_id: taskRef(),
    owner_key: { type: DataTypes.STRING(36), allowNull: false },
    options: { type: DataTypes.TEXT, allowNull: false },
    search_text: { type: DataTypes.TEXT, allowNull: false },
    created_at: time(),
  });
  await qi.addIndex('nanobanana_tasks', ['owner_key', 'created_at'], {
    name: 'nanobanana_tasks_owner_created',
  });

  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'sqlite') {
    // Contentless-delete FTS5 would be ideal but needs SQLite 3.43; a plain FTS5 table kept in
    // step by triggers works on every build. unicode61 keeps the pre-segmented tokens whole.
    // The body also carries the workspace as a token (`o<owner without dashes>`), so filtering
    // and counting a workspace's matches stay inside the index (no row lookups).
    await sequelize.query(
      `CREATE VIRTUAL TABLE nanobanana_search USING fts5(task_id UNINDEXED, owner_key UNINDEXED, body, tokenize = 'unicode61')`,
    );
    await sequelize.query(
      `CREATE TRIGGER nanobanana_search_ai AFTER INSERT ON nanobanana_tasks BEGIN
         INSERT INTO nanobanana_search(rowid, task_id, owner_key, body)
         VALUES (new.rowid, new.task_id, new.owner_key, new.search_text || ' o' || lower(replace(new.owner_key, '-', '')));
       END`,
    );
    await sequelize.query(
      `CREATE TRIGGER nanobanana_search_ad AFTER DELETE ON nanobanana_tasks BEGIN
         DELETE FROM nanobanana_search WHERE rowid = old.rowid;
       END`,
    );
  } else {
    // MariaDB has no ngram parser: the column holds jieba tokens, each wrapped to ≥3 characters
    // so the default parser's minimum token size and stopword list never drop a real word.
    await sequelize.query(
      `ALTER TABLE nanobanana_tasks ADD FULLTEXT INDEX nanobanana_tasks_search (search_text)`,
    );
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === 'sqlite') {
    await qi.sequelize.query('DROP TRIGGER IF EXISTS nanobanana_search_ai');
    await qi.sequelize.query('DROP TRIGGER IF EXISTS nanobanana_search_ad');
    await qi.sequelize.query('DROP TABLE IF EXISTS nanobanana_search');
  }
  for (const table of ['nanobanana_tasks', 'generation_task_credentials', 'generation_task_items'])
    await qi.dropTable(table);
}
