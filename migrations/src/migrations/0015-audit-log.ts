import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * One audit log for every staff action (Jimeng account create/edit/delete/reset, credit grants,
 * price and plan changes, deletes of records, tasks, characters and catalog rows by staff). The
 * trace view reads it by target; `before`/`after` are JSON snapshots with secrets masked.
 * `anime_model_price_changes` and `member_plan_changes` stay: their own views read them.
 * The staff trace finds a stored file from its URL (`/media/<key>`): media_assets gets indexes on
 * its storage and thumbnail keys.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
  await qi.createTable('audit_log', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    actor_id: str(36),
    /** The actor's username (or display name) when acting: the trail reads right after a rename or delete. */
    actor_name: str(128, true),
    actor_role: str(16),
    /** `<target kind>.<verb>`, e.g. `jimeng_account.update`, `credits.grant`. */
    action: str(64),
    target_kind: str(32),
    target_id: str(100),
    before: { type: DataTypes.TEXT, allowNull: true },
    after: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('audit_log', ['target_kind', 'target_id', 'created_at'], { name: 'audit_log_target' });
  await qi.addIndex('audit_log', ['created_at'], { name: 'audit_log_created' });
  await qi.addIndex('audit_log', ['actor_id', 'created_at'], { name: 'audit_log_actor' });
  await qi.addIndex('media_assets', ['storage_key'], { name: 'media_assets_storage_key' });
  await qi.addIndex('media_assets', ['thumbnail_key'], { name: 'media_assets_thumbnail_key' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('media_assets', 'media_assets_thumbnail_key');
  await qi.removeIndex('media_assets', 'media_assets_storage_key');
  await qi.dropTable('audit_log');
}
