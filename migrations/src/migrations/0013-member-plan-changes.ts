import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 000's Pro plan: staff set a member's plan (users.role user ↔ pro); every change is kept
 * in `member_plan_changes` (who, when, before, after), shaped like `anime_model_price_changes`.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const str = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });
  await qi.createTable('member_plan_changes', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    user_id: str(36),
    old_plan: str(8),
    new_plan: str(8),
    changed_by: str(36),
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('member_plan_changes', ['user_id', 'created_at'], { name: 'member_plan_changes_user' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('member_plan_changes');
}
