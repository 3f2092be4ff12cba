import type { AuditRecord, AuditStore, AuditTransaction } from './audit-log.port.js';
import { ForbiddenError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { redactSecrets } from './redact-secrets.js';

/** What a staff action touched: `kind` names the resource (jimeng_account, user, generation, …). */
export interface AuditTarget {
  kind: string;
  id: string;
}

export interface AuditEntryView {
  id: string;
  actor_id: string;
  actor_name: string | null;
  actor_role: string;
  action: string;
  target_kind: string;
  target_id: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

interface Deps {
  /** Where entries are kept (the Sequelize adapter audit-log.store.ts). */
  store: AuditStore;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * The one audit log of staff actions. Use cases call `record` after (or inside the transaction of)
 * a change made by staff; members acting on their own things are not audited (their ledger and
 * tasks already say what they did). Snapshots pass through `redactSecrets`, so a session id or key
 * that a caller forgot to mask never lands in the log.
 */
export class AuditLog {
  constructor(private readonly deps: Deps) {}

  async record(
    actor: Actor,
    action: string,
    target: AuditTarget,
    before?: unknown,
    after?: unknown,
    options: { transaction?: AuditTransaction } = {},
  ): Promise<void> {
    if (!isStaff(actor)) return;
    await this.deps.store.insert(
      {
        id: this.deps.ids.uuid(),
        actor_id: actor.id,
        actor_name: (actor.username ?? actor.displayName)?.slice(0, 128) ?? null,
        actor_role: actor.role,
        action,
        target_kind: target.kind,
        target_id: String(target.id).slice(0, 100),
        before: before === undefined ? null : JSON.stringify(redactSecrets(before)),
        after: after === undefined ? null : JSON.stringify(redactSecrets(after)),
        created_at: this.deps.clock.now(),
      },
      options.transaction,
    );
  }

  /** Records the same action for several targets (bulk deletes). */
  async recordEach(
    actor: Actor,
    action: string,
    targets: AuditTarget[],
    before?: (target: AuditTarget) => unknown,
  ) {
    for (const target of targets) await this.record(actor, action, target, before?.(target));
  }

  /** Entries that touched any of `targets`, oldest first (the trace's timeline order). */
  async forTargets(targets: AuditTarget[], limit = 200): Promise<AuditEntryView[]> {
    if (!targets.length) return [];
    const rows = await this.deps.store.forTargets(targets, limit);
    return rows.map(view);
  }

  /** Staff: the newest entries, optionally of one target kind, actor or target. */
  async list(
    actor: Actor,
    query: { target_kind?: string; target_id?: string; actor_id?: string; limit?: number },
  ): Promise<AuditEntryView[]> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can read the audit log');
    const rows = await this.deps.store.newest(
      { target_kind: query.target_kind, target_id: query.target_id, actor_id: query.actor_id },
      Math.min(Math.max(query.limit ?? 50, 1), 200),
    );
    return rows.map(view);
  }
}

function view(row: AuditRecord): AuditEntryView {
  return {
    id: row.id,
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    actor_role: row.actor_role,
    action: row.action,
    target_kind: row.target_kind,
    target_id: row.target_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    created_at: new Date(row.created_at).toISOString(),
  };
}
