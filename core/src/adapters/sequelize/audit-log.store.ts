import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { AuditRecord, AuditStore, AuditTransaction } from '../../audit/audit-log.port.js';
import type { AuditLogRow } from './audit-log.model.js';

/** The audit log's store on Sequelize (`audit_log`), with the queries AuditLog ran itself before. */
export class SequelizeAuditStore implements AuditStore {
  constructor(private readonly model: typeof AuditLogRow) {}

  async insert(entry: AuditRecord, transaction?: AuditTransaction): Promise<void> {
    await this.model.create(entry, { transaction: transaction as Transaction | undefined });
  }

  forTargets(targets: Array<{ kind: string; id: string }>, limit: number): Promise<AuditRecord[]> {
    const where: WhereOptions = {
      [Op.or]: targets.map((target) => ({ target_kind: target.kind, target_id: target.id })),
    };
    return this.model.findAll({
      where,
      order: [
        ['created_at', 'ASC'],
        ['id', 'ASC'],
      ],
      limit,
    });
  }

  newest(
    filter: { target_kind?: string; target_id?: string; actor_id?: string },
    limit: number,
  ): Promise<AuditRecord[]> {
    const where: Record<string, string> = {};
    if (filter.target_kind) where.target_kind = filter.target_kind;
    if (filter.target_id) where.target_id = filter.target_id;
    if (filter.actor_id) where.actor_id = filter.actor_id;
    return this.model.findAll({
      where,
      order: [
        ['created_at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
    });
  }
}
