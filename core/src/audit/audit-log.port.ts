/**
 * Where the audit log of staff actions is kept. AuditLog (audit-log.ts) redacts and formats;
 * The Sequelize adapter audit-log.store.ts stores (`audit_log`).
 */

/** One stored entry; `before` and `after` are JSON snapshots, secrets already redacted. */
export interface AuditRecord {
  id: string;
  actor_id: string;
  actor_name: string | null;
  actor_role: string;
  action: string;
  target_kind: string;
  target_id: string;
  before: string | null;
  after: string | null;
  created_at: Date;
}

/**
 * The caller's open database transaction, when an entry must commit (or roll back) with the change
 * it describes. Opaque to core: only the adapter that opened it reads it.
 */
export interface AuditTransaction {
  afterCommit(callback: () => void | Promise<void>): void;
}

export interface AuditStore {
  insert(entry: AuditRecord, transaction?: AuditTransaction): Promise<void>;
  /** Entries that touched any of these targets, oldest first. */
  forTargets(targets: Array<{ kind: string; id: string }>, limit: number): Promise<AuditRecord[]>;
  /** The newest entries matching every column given. */
  newest(
    filter: { target_kind?: string; target_id?: string; actor_id?: string },
    limit: number,
  ): Promise<AuditRecord[]>;
}
