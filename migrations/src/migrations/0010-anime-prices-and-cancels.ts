import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Issue 4 (members' anime images and videos):
 * - `anime_model_prices`: a staff-set price rule per image or video model, replacing the default
 *   from configuration (ANIME_IMAGE_CREDITS_PER_IMAGE, ANIME_VIDEO_MODELS / contract 001's table);
 * - `anime_model_price_changes`: the audit trail of those edits (who, when, before, after);
 * - `provider_jobs.cancelled_at` / `cancel_reason`: a cancelled kie.ai task (kie has no cancel
 *   endpoint) is abandoned for good; late callbacks and polls find it cancelled and change nothing.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
  const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
  await qi.createTable('anime_model_prices', {
    /** `<kind>:<model id>` */
    id: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
    kind: str(8),
    model_id: str(64),
    price: { type: DataTypes.TEXT, allowNull: false },
    updated_by: str(36),
    updated_at: time(),
  });
  await qi.createTable('anime_model_price_changes', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    kind: str(8),
    model_id: str(64),
    old_price: { type: DataTypes.TEXT, allowNull: true },
    new_price: { type: DataTypes.TEXT, allowNull: true },
    changed_by: str(36),
    created_at: time(),
  });
  await qi.addIndex('anime_model_price_changes', ['kind', 'model_id', 'created_at'], {
    name: 'anime_model_price_changes_model',
  });
  await qi.addColumn('provider_jobs', 'cancelled_at', time(true));
  await qi.addColumn('provider_jobs', 'cancel_reason', str(255, true));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('provider_jobs', 'cancel_reason');
  await qi.removeColumn('provider_jobs', 'cancelled_at');
  await qi.dropTable('anime_model_price_changes');
  await qi.dropTable('anime_model_prices');
}
