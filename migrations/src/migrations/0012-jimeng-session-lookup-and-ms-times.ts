import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 003 fidelity:
 * - `provider_accounts.session_hash`: HMAC-SHA256 (keyed from SECRET_KEY) of an account's
 *   normalised session id, so a session id already in the pool can be found although `secret_enc`
 *   is sealed with a random IV. Set only on live accounts (deleting one clears it), so the unique
 *   index refuses a second live account on the same upstream session and nothing else. Existing
 *   rows are filled in at start-up (JimengAccountService.backfillSessionHashes): computing the HMAC
 *   needs SECRET_KEY, which migrations do not have.
 * - `jimeng_records.generation_time` (whole seconds, 0 for fast generations) becomes
 *   `generation_time_ms`; the API reports seconds with decimals.
 * - `jimeng_records.original_session_mask`: the masked session id the record was generated with
 *   (§6.4 `original_session_id`), kept even if the account's session is replaced later. Older
 *   records fall back to their account's current mask.
 *
 * Columns are renamed and dropped with plain ALTER TABLE statements: Sequelize's SQLite
 * removeColumn/renameColumn rebuild the table and lose its indexes.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('provider_accounts', 'session_hash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addIndex('provider_accounts', ['provider', 'session_hash'], {
    unique: true,
    name: 'provider_accounts_session',
  });
  await qi.addColumn('jimeng_records', 'original_session_mask', {
    type: DataTypes.STRING(32),
    allowNull: true,
  });
  await renameColumn(qi, 'jimeng_records', 'generation_time', 'generation_time_ms');
  await qi.sequelize.query(
    'UPDATE jimeng_records SET generation_time_ms = generation_time_ms * 1000 WHERE generation_time_ms IS NOT NULL',
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query(
    'UPDATE jimeng_records SET generation_time_ms = ROUND(generation_time_ms / 1000.0) WHERE generation_time_ms IS NOT NULL',
  );
  await renameColumn(qi, 'jimeng_records', 'generation_time_ms', 'generation_time');
  await qi.sequelize.query('ALTER TABLE jimeng_records DROP COLUMN original_session_mask');
  await qi.removeIndex('provider_accounts', 'provider_accounts_session');
  await qi.sequelize.query('ALTER TABLE provider_accounts DROP COLUMN session_hash');
}

async function renameColumn(qi: QueryInterface, table: string, from: string, to: string): Promise<void> {
  if (qi.sequelize.getDialect() === 'sqlite') {
    await qi.sequelize.query(`ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`);
  } else {
    // CHANGE works on every MySQL and MariaDB version (RENAME COLUMN needs MariaDB 10.5 / MySQL 8).
    await qi.sequelize.query(`ALTER TABLE ${table} CHANGE ${from} ${to} INTEGER NULL`);
  }
}
