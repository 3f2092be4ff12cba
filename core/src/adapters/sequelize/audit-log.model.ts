import { Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { date, pk, str, text } from './column-types.js';

/** One staff action; the schema is owned by migrations/0015-audit-log.ts. */
export class AuditLogRow extends Model<InferAttributes<AuditLogRow>, InferCreationAttributes<AuditLogRow>> {
  declare id: string;
  declare actor_id: string;
  declare actor_name: string | null;
  declare actor_role: string;
  declare action: string;
  declare target_kind: string;
  declare target_id: string;
  /** JSON snapshot before the action (null for creations), secrets masked. */
  declare before: string | null;
  /** JSON snapshot after the action (null for deletions), secrets masked. */
  declare after: string | null;
  declare created_at: Date;
}

export function defineAuditLogModel(sequelize: Sequelize): typeof AuditLogRow {
  class AuditLog extends AuditLogRow {}
  AuditLog.init(
    {
      id: pk(),
      actor_id: str(36),
      actor_name: str(128, true),
      actor_role: str(16),
      action: str(64),
      target_kind: str(32),
      target_id: str(100),
      before: text(true),
      after: text(true),
      created_at: date(),
    },
    { sequelize, tableName: 'audit_log', timestamps: false },
  );
  return AuditLog;
}
