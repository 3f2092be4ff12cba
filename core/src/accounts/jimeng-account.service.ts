import type { EventBus } from '../ports/event-bus.port.js';
import { announceAccountsChanged } from './account-changes.js';
import {
  SessionInUseError,
  type AccountChanges,
  type AccountRepository,
  type AccountRow,
  type AccountScope,
} from './account.repository.js';
import { AppError, ForbiddenError, ValidationError } from '../errors.js';
import { isAdmin, isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { maskSecret, type SecretBox } from '../shared/secret-box.js';
import { formatZoned, isoInstant, nextQuotaReset } from '../shared/zoned-time.js';
import type { AuditLog } from '../audit/audit-log.js';
import { accountSnapshot } from '../audit/account-snapshot.js';
import {
  AccountStatus,
  OVERSEAS_SITES,
  type AccountInput,
  type JimengAccountView,
} from './jimeng-account.types.js';

interface Deps {
  /** Where accounts are stored (the Sequelize adapter account.repository.ts). */
  accounts: AccountRepository;
  ids: IdGenerator;
  clock: Clock;
  secrets: SecretBox;
  leases: LeaseStore;
  quota: { resetTime: string; timeZone: string };
  /** Staff changes to accounts are kept in the audit log. */
  audit: AuditLog;
  /** Announces changes to every node's pool (account-changes.ts); absent in unit tests. */
  events?: EventBus;
}

/** Region prefixes of international sessions (PROVIDERS.md §1). */
const REGION_PREFIX = /^(us|hk|jp|sg)-/i;

/** One upstream session however it is written: trimmed, region prefix lower-case (gateways read it case-insensitively). */
export function normaliseSessionId(sessionId: string): string {
  const trimmed = sessionId.trim();
  return trimmed.replace(REGION_PREFIX, (prefix) => prefix.toLowerCase());
}

/** One item of a bulk create or update that was refused, by its index in the request. */
export interface AccountItemFailure {
  index: number;
  jimeng_account: string | null;
  id?: string;
  /** session_in_use: another live account has this session; not_found: no such account of yours. */
  reason: 'session_in_use' | 'not_found';
  message: string;
}

const isUniqueViolation = (error: unknown) => error instanceof SessionInUseError;

/**
 * Contract 003 §5: staff manage their own Jimeng accounts; admins see every account.
 * Secrets are sealed at rest and only ever leave as masks.
 */
export class JimengAccountService {
  constructor(private readonly deps: Deps) {}

  private assertStaff(actor: Actor) {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can manage provider accounts');
  }

  /** Live Jimeng accounts; staff see their own (003's rule), admins see all. */
  private scope(actor: Actor): AccountScope {
    return isAdmin(actor) ? { provider: 'jimeng' } : { provider: 'jimeng', ownerId: actor.id };
  }

  /** site_type follows account type: China '0'; overseas takes the session's region prefix, else hk. */
  private siteFor(type: number, sessionId: string, explicit?: string): string {
    if (type === 0) return '0';
    if (explicit && (OVERSEAS_SITES as readonly string[]).includes(explicit)) return explicit;
    return REGION_PREFIX.exec(sessionId)?.[1]?.toLowerCase() ?? 'hk';
  }

  /** The keyed fingerprint stored in `session_hash` (see SecretBox.lookupHash). */
  sessionHash(sessionId: string): string {
    return this.deps.secrets.lookupHash(`jimeng:${normaliseSessionId(sessionId)}`);
  }

  /**
   * Live accounts (any owner) already holding these session fingerprints. A deleted account's
   * fingerprint is stale (deleting clears it; rows deleted behind the service's back keep it), so
   * it is cleared here rather than refusing the session.
   */
  private async liveHolders(
    hashes: string[],
  ): Promise<Map<string, Pick<AccountRow, 'id' | 'name' | 'create_by'>>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.deps.accounts.holdersOf('jimeng', hashes);
    const stale = rows.filter((row) => row.is_deleted).map((row) => row.id);
    if (stale.length) await this.deps.accounts.clearSessionHashes(stale);
    return new Map(rows.filter((row) => !row.is_deleted).map((row) => [row.session_hash!, row]));
  }

  private inUseMessage(actor: Actor, index: number, holder: Pick<AccountRow, 'id' | 'create_by'>) {
    // Name the other account only to someone who may see it.
    const visible = isAdmin(actor) || holder.create_by === actor.id;
    return `accounts[${index}].session_id is already used by ${visible ? `account ${holder.id}` : 'another account'}`;
  }

  /**
   * §5.1. A session id that a live account already has (or an earlier item of the same request) is
   * refused per item: two pool entries on one upstream session would double its real load. With a
   * single item, that refusal is the request's answer (400).
   */
  async create(
    actor: Actor,
    accounts: AccountInput[],
  ): Promise<{ success_count: number; failed_count: number; ids: string[]; failures: AccountItemFailure[] }> {
    this.assertStaff(actor);
    if (!Array.isArray(accounts) || accounts.length === 0)
      throw new ValidationError('accounts must not be empty');
    const now = this.deps.clock.now();
    const rows = accounts.map((input, index) => {
      if (!input.jimeng_account?.trim())
        throw new ValidationError(`accounts[${index}].jimeng_account is required`);
      if (!input.session_id?.trim()) throw new ValidationError(`accounts[${index}].session_id is required`);
      const type = input.jimeng_account_type ?? 0;
      if (type !== 0 && type !== 1)
        throw new ValidationError(`accounts[${index}].jimeng_account_type must be 0 or 1`);
      const sessionId = input.session_id.trim();
      return {
        id: this.deps.ids.snowflake(),
        provider: 'jimeng',
        name: input.jimeng_account.trim(),
        account_type: type,
        site_type: this.siteFor(type, sessionId, input.site_type),
        secret_enc: this.deps.secrets.seal(sessionId),
        secret_mask: maskSecret(sessionId),
        session_hash: this.sessionHash(sessionId),
        priority: input.priority ?? 0,
        max_concurrent: input.max_concurrent ?? 3,
        quota_reset_time: nextQuotaReset(now, this.deps.quota.resetTime, this.deps.quota.timeZone),
        create_by: actor.id,
        update_by: actor.id,
        create_time: now,
        update_time: now,
      };
    });
    const holders = await this.liveHolders(rows.map((row) => row.session_hash));
    const failures: AccountItemFailure[] = [];
    const firstIndex = new Map<string, number>();
    const accepted: Array<{ index: number; row: (typeof rows)[number] }> = [];
    rows.forEach((row, index) => {
      const holder = holders.get(row.session_hash);
      const earlier = firstIndex.get(row.session_hash);
      if (holder) {
        failures.push({
          index,
          jimeng_account: row.name,
          reason: 'session_in_use',
          message: this.inUseMessage(actor, index, holder),
        });
      } else if (earlier !== undefined) {
        failures.push({
          index,
          jimeng_account: row.name,
          reason: 'session_in_use',
          message: `accounts[${index}].session_id is the same session as accounts[${earlier}]`,
        });
      } else {
        firstIndex.set(row.session_hash, index);
        accepted.push({ index, row });
      }
    });
    if (rows.length === 1 && failures.length === 1)
      throw new AppError('SESSION_ID_IN_USE', failures[0].message, { status: 400 });
    const created: string[] = [];
    try {
      await this.deps.accounts.insertMany(accepted.map(({ row }) => row));
      created.push(...accepted.map(({ row }) => row.id));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request added one of these sessions meanwhile: find which, one row at a time.
      for (const { index, row } of accepted) {
        try {
          await this.deps.accounts.insert(row);
          created.push(row.id);
        } catch (rowError) {
          if (!isUniqueViolation(rowError)) throw rowError;
          failures.push({
            index,
            jimeng_account: row.name,
            reason: 'session_in_use',
            message: `accounts[${index}].session_id is already used by another account`,
          });
        }
      }
      if (rows.length === 1 && failures.length === 1)
        throw new AppError('SESSION_ID_IN_USE', failures[0].message, { status: 400 });
    }
    failures.sort((a, b) => a.index - b.index);
    for (const { row } of accepted.filter((each) => created.includes(each.row.id)))
      await this.deps.audit.record(
        actor,
        'jimeng_account.create',
        { kind: 'jimeng_account', id: row.id },
        undefined,
        {
          name: row.name,
          account_type: row.account_type,
          site_type: row.site_type,
          session_mask: row.secret_mask,
          priority: row.priority,
          max_concurrent: row.max_concurrent,
        },
      );
    await announceAccountsChanged(this.deps.events, created);
    return { success_count: created.length, failed_count: failures.length, ids: created, failures };
  }

  async list(
    actor: Actor,
    query: { page: number; size: number; account_status?: number; site_type?: string },
  ): Promise<{ total: number; page: number; size: number; list: JimengAccountView[] }> {
    this.assertStaff(actor);
    const { rows, total: count } = await this.deps.accounts.page(
      { ...this.scope(actor), accountStatus: query.account_status, siteType: query.site_type },
      { offset: (query.page - 1) * query.size, limit: query.size },
    );
    const inFlight = await this.deps.leases.inFlight(rows.map((row) => row.id));
    return {
      total: count,
      page: query.page,
      size: query.size,
      list: rows.map((row) => this.view(row, inFlight.get(row.id) ?? 0)),
    };
  }

  /** §5.2. A session id another live account already has is refused per item (400 for a single item), as in create. */
  async update(
    actor: Actor,
    accounts: Array<AccountInput & { id?: string }>,
  ): Promise<{ success_count: number; failed_count: number; failures: AccountItemFailure[] }> {
    this.assertStaff(actor);
    if (!Array.isArray(accounts) || accounts.length === 0)
      throw new ValidationError('accounts must not be empty');
    accounts.forEach((input, index) => {
      if (!input.id) throw new ValidationError(`accounts[${index}].id is required`);
    });
    const hashes = accounts.map((input) =>
      input.session_id?.trim() ? this.sessionHash(input.session_id) : null,
    );
    const holders = await this.liveHolders(hashes.filter((hash): hash is string => hash !== null));
    const claimed = new Map<string, number>();
    const failures: AccountItemFailure[] = [];
    let success = 0;
    for (const [index, input] of accounts.entries()) {
      const fail = (message: string, reason: AccountItemFailure['reason'] = 'session_in_use') =>
        failures.push({ index, id: input.id, jimeng_account: input.jimeng_account ?? null, reason, message });
      const hash = hashes[index];
      if (hash) {
        const holder = holders.get(hash);
        const earlier = claimed.get(hash);
        if (holder && holder.id !== input.id) {
          fail(this.inUseMessage(actor, index, holder));
          continue;
        }
        if (earlier !== undefined) {
          fail(`accounts[${index}].session_id is the same session as accounts[${earlier}]`);
          continue;
        }
        claimed.set(hash, index);
      }
      const row = await this.deps.accounts.findLive(input.id!, this.scope(actor));
      if (!row) {
        fail(`accounts[${index}]: account ${input.id} not found`, 'not_found');
        continue;
      }
      const type = input.jimeng_account_type ?? row.account_type;
      const sessionId = input.session_id?.trim();
      const changes: AccountChanges = {
        update_by: actor.id,
        update_time: this.deps.clock.now(),
        account_type: type,
      };
      if (input.jimeng_account?.trim()) changes.name = input.jimeng_account.trim();
      if (sessionId) {
        changes.secret_enc = this.deps.secrets.seal(sessionId);
        changes.secret_mask = maskSecret(sessionId);
        changes.session_hash = hash;
      }
      changes.site_type = this.siteFor(
        type,
        sessionId ?? this.deps.secrets.open(row.secret_enc),
        input.site_type,
      );
      if (input.priority !== undefined) changes.priority = input.priority;
      if (input.max_concurrent !== undefined) changes.max_concurrent = input.max_concurrent;
      if (input.account_status === AccountStatus.disabled) {
        changes.account_status = AccountStatus.disabled;
        changes.status_reason = 'Disabled by staff';
      } else if (
        input.account_status === AccountStatus.normal &&
        row.account_status === AccountStatus.disabled
      ) {
        changes.account_status = AccountStatus.normal;
        changes.status_reason = null;
      }
      const before = accountSnapshot(row);
      try {
        const after = await this.deps.accounts.change(row, changes);
        await this.deps.audit.record(
          actor,
          'jimeng_account.update',
          { kind: 'jimeng_account', id: row.id },
          before,
          accountSnapshot(after),
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        fail(`accounts[${index}].session_id is already used by another account`);
        continue;
      }
      success += 1;
    }
    const refused = failures.find((failure) => failure.reason === 'session_in_use');
    if (accounts.length === 1 && refused)
      throw new AppError('SESSION_ID_IN_USE', refused.message, { status: 400 });
    await announceAccountsChanged(
      this.deps.events,
      accounts.flatMap((account) => (account.id ? [account.id] : [])),
    );
    return { success_count: success, failed_count: accounts.length - success, failures };
  }

  /** Logical delete, only of the actor's own accounts (admins: any). */
  async remove(actor: Actor, ids: string[]): Promise<{ success_count: number }> {
    this.assertStaff(actor);
    if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('ids must not be empty');
    const doomed = await this.deps.accounts.findLiveMany(ids, this.scope(actor));
    // The fingerprint goes with the account: its session may be added again.
    const affected = await this.deps.accounts.softDelete(
      doomed.map((row) => row.id),
      actor.id,
      this.deps.clock.now(),
    );
    for (const row of doomed)
      await this.deps.audit.record(
        actor,
        'jimeng_account.delete',
        { kind: 'jimeng_account', id: row.id },
        accountSnapshot(row),
      );
    await announceAccountsChanged(
      this.deps.events,
      doomed.map((row) => row.id),
    );
    return { success_count: affected };
  }

  /** §5.5: generation back on, counts cleared, next reset tomorrow; also clears invalid/cooldown marks. */
  async resetStatus(actor: Actor, id: string): Promise<boolean> {
    this.assertStaff(actor);
    const now = this.deps.clock.now();
    const scope = this.scope(actor);
    const before = await this.deps.accounts.findLive(id, scope);
    const affected = await this.deps.accounts.updateLive(id, scope, {
      image_generation_status: 1,
      video_generation_status: 1,
      image_count: 0,
      video_count: 0,
      account_status: AccountStatus.normal,
      status_reason: null,
      cooldown_until: null,
      cooldown_level: 0,
      quota_reset_time: nextQuotaReset(now, this.deps.quota.resetTime, this.deps.quota.timeZone),
      update_by: actor.id,
      update_time: now,
    });
    if (affected > 0 && before) {
      const after = await this.deps.accounts.byId(id);
      await this.deps.audit.record(
        actor,
        'jimeng_account.reset',
        { kind: 'jimeng_account', id },
        accountSnapshot(before),
        after ? accountSnapshot(after) : undefined,
      );
      await announceAccountsChanged(this.deps.events, [id]);
    }
    return affected > 0;
  }

  /**
   * Contract 003 §7.1: how many of the actor's accounts are in each state. The three status buckets
   * partition the total, as in the contract's example (10 = 8 + 1 + 1 with 2 of the 8 rate limited):
   * an account cooling down after a rate limit is active (healthy, only throttled), and is also
   * counted in `rate_limited_accounts`; `cooling_down_accounts` are those whose cooldown is still
   * running (the others get their trial request next).
   */
  async statistics(actor: Actor) {
    this.assertStaff(actor);
    const rows = await this.deps.accounts.states(this.scope(actor));
    type State = (typeof rows)[number];
    const now = this.deps.clock.now().getTime();
    const rateLimited = (row: State) => row.account_status === AccountStatus.coolingDown;
    const coolingNow = (row: State) => rateLimited(row) && (row.cooldown_until?.getTime() ?? 0) > now;
    const usable = (row: State) =>
      row.account_status === AccountStatus.normal || (rateLimited(row) && !coolingNow(row));
    const count = (test: (row: State) => boolean) => rows.filter(test).length;
    return {
      total_accounts: rows.length,
      active_accounts: count((row) => row.account_status === AccountStatus.normal || rateLimited(row)),
      inactive_accounts: count((row) => row.account_status === AccountStatus.invalid),
      banned_accounts: count((row) => row.account_status === AccountStatus.disabled),
      image_available_accounts: count((row) => usable(row) && row.image_generation_status === 1),
      video_available_accounts: count((row) => usable(row) && row.video_generation_status === 1),
      rate_limited_accounts: count(rateLimited),
      cooling_down_accounts: count(coolingNow),
    };
  }

  /**
   * Start-up: fingerprints live accounts stored before `session_hash` existed (migration 0012 adds
   * the column; the HMAC needs SECRET_KEY, which only the running core has). An account whose
   * session another live account already holds keeps none and is reported, so staff can delete
   * one of the two; later creates of that session are refused all the same.
   */
  async backfillSessionHashes(): Promise<{
    filled: number;
    duplicates: Array<{ id: string; sameAs: string }>;
  }> {
    const rows = await this.deps.accounts.withoutSessionHash('jimeng');
    let filled = 0;
    const duplicates: Array<{ id: string; sameAs: string }> = [];
    for (const row of rows) {
      let hash: string;
      try {
        hash = this.sessionHash(this.deps.secrets.open(row.secret_enc));
      } catch {
        continue; // sealed under another SECRET_KEY: nothing to compare with
      }
      const holder = (await this.liveHolders([hash])).get(hash);
      if (holder) {
        duplicates.push({ id: row.id, sameAs: holder.id });
        continue;
      }
      try {
        await this.deps.accounts.fillSessionHash(row.id, hash);
        filled += 1;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const other = (await this.liveHolders([hash])).get(hash);
        duplicates.push({ id: row.id, sameAs: other?.id ?? 'unknown' });
      }
    }
    return { filled, duplicates };
  }

  private view(row: AccountRow, inFlight: number): JimengAccountView {
    const zone = this.deps.quota.timeZone;
    return {
      id: row.id,
      jimeng_account: row.name,
      jimeng_account_type: row.account_type,
      session_id: row.secret_mask,
      site_type: row.site_type === '0' ? 0 : row.site_type,
      account_status: row.account_status,
      image_generation_status: row.image_generation_status,
      video_generation_status: row.video_generation_status,
      image_count: row.image_count,
      video_count: row.video_count,
      quota_reset_time: formatZoned(row.quota_reset_time, zone),
      create_time: formatZoned(row.create_time, zone),
      update_time: formatZoned(row.update_time, zone),
      priority: row.priority,
      max_concurrent: row.max_concurrent,
      in_flight: inFlight,
      credits: row.credits ?? null,
      credits_checked_time: formatZoned(row.credits_checked_at, zone),
      status_reason: row.status_reason ?? null,
      last_error: row.last_error ?? null,
      last_error_time: formatZoned(row.last_error_at, zone),
      cooldown_until: formatZoned(row.cooldown_until, zone),
      quota_reset_time_iso: isoInstant(row.quota_reset_time),
      create_time_iso: isoInstant(row.create_time),
      update_time_iso: isoInstant(row.update_time),
      credits_checked_time_iso: isoInstant(row.credits_checked_at),
      last_error_time_iso: isoInstant(row.last_error_at),
      cooldown_until_iso: isoInstant(row.cooldown_until),
    };
  }
}
