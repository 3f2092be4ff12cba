import type { AccountRepository, AccountRow, GenerationKind } from './account.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { ProviderError } from '../ports/image-provider.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Logger } from '../shared/logger.js';
import { GroupCommit } from '../shared/group-commit.js';
import type { PoolSlotUsage } from '../shared/metrics/pool-metrics.js';
import { AccountStatus } from './jimeng-account.types.js';

/** account_status values as the metrics name them. */
const ACCOUNT_STATE_NAMES: Record<number, string> = {
  [AccountStatus.normal]: 'normal',
  [AccountStatus.invalid]: 'invalid',
  [AccountStatus.coolingDown]: 'cooling_down',
  [AccountStatus.disabled]: 'disabled',
};

export type { GenerationKind } from './account.repository.js';

/** A provider failure that took an account (or one of its generation types) out of service. */
export type AccountHealthEvent =
  | { accountId: string; problem: 'session_expired' }
  | { accountId: string; problem: 'out_of_credits'; kind: GenerationKind }
  /** `cooldownLevel` counts the cooldowns in a row (1 the first time); only a success resets it. */
  | { accountId: string; problem: 'cooling_down'; cooldownLevel: number; until: Date };

/** Contract 003 §11.1 load_balance values. */
export const ACCOUNT_STRATEGIES = ['round_robin', 'least_used', 'priority'] as const;
export type AccountStrategy = (typeof ACCOUNT_STRATEGIES)[number];

/** Contract 003 §11.1 rate_limit_handling values. */
export const RATE_LIMIT_HANDLING = ['wait', 'skip', 'switch_on_limit'] as const;
export type RateLimitHandling = (typeof RATE_LIMIT_HANDLING)[number];

export interface AccountLease {
  accountId: string;
  accountName: string;
  siteType: string;
  /** The decrypted credential; never log it. */
  secret: string;
  /** A cooled-down account on its trial request: success closes its circuit. */
  halfOpen: boolean;
  /**
   * Frees the slot. With `handOver` (after a successful call, when the account is known good), a
   * task of this process waiting for a slot it can use gets this one directly — no Redis round
   * trips between one call ending and the next starting on the account.
   */
  release(options?: { handOver?: boolean }): Promise<void>;
}

export interface LeaseOptions {
  exclude?: string[];
  strategy?: AccountStrategy;
  /** Overrides an account's own max_concurrent (contract 003's max_concurrent_per_account). */
  maxConcurrentPerAccount?: number;
}

interface Deps {
  /** Where accounts are stored (the Sequelize adapter account.repository.ts; in-memory in unit tests). */
  accounts: AccountRepository;
  leases: LeaseStore;
  secrets: SecretBox;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Leases expire after this unless renewed; held leases renew every third of it. */
  leaseTtlMs: number;
  defaultStrategy: AccountStrategy;
  /** At most this many videos generate at once across all accounts and workers. */
  globalVideoConcurrency: number;
  /** At most this many videos per account at once. */
  videoConcurrencyPerAccount: number;
  /**
   * While tasks wait for a slot, the pool reads every eligible account's in-flight count this
   * often and wakes as many waiters as there are free slots (releases by other nodes). Default 500.
   */
  pollMs?: number;
}

interface ReleaseWaiter {
  provider: string;
  kind: GenerationKind;
  options: LeaseOptions;
  /** Ends the wait: with a lease handed over, or with null to try `lease` again. */
  wake(lease: AccountLease | null): void;
}

/** Cooldown after a rate limit grows 1, 2, 4, … minutes up to an hour. */
export function cooldownMs(level: number): number {
  return Math.min(60, 2 ** level) * 60_000;
}

const GLOBAL_VIDEO_SLOT = 'global:video';
const ELIGIBLE_CACHE_MS = 1000;

/**
 * The provider account pool: picks an eligible account by strategy, holds a TTL'd, heartbeated
 * lease on one of its concurrency slots (so a crashed worker never leaks in-flight counts), and
 * records what each provider failure means for the account. Every state lives in the database
 * or Redis, so disables and cooldowns are shared by all worker nodes.
 */
export class AccountPoolService {
  /** Waiters in arrival order: woken by this process's releases, or by the watcher for other nodes'. */
  private readonly releaseWaiters = new Set<ReleaseWaiter>();
  private watcher: NodeJS.Timeout | null = null;
  private readonly eligibleCache = new Map<string, { rows: AccountRow[]; expires: number }>();
  /** Reads in progress, shared: a burst of tasks starting at once asks the database once, not once each. */
  private readonly eligibleLoads = new Map<string, Promise<AccountRow[]>>();

  /** Success counts of one burst are written as one increment per account (each caller still waits for its own). */
  private readonly successes = new GroupCommit<'success', { accountId: string; kind: GenerationKind }, void>(
    (_, items) => this.countSuccesses(items),
  );

  /** Called after a generation type of an account ran out of points (see onOutOfCredits). */
  private readonly outOfCreditsListeners: Array<(accountId: string) => void> = [];

  /** Called after a failure took an account out of service (see onAccountHealth). */
  private readonly accountHealthListeners: Array<(event: AccountHealthEvent) => void> = [];

  constructor(private readonly deps: Deps) {}

  /** Runs `listener` (not awaited) each time an account is found out of points for image or video work. */
  onOutOfCredits(listener: (accountId: string) => void): void {
    this.outOfCreditsListeners.push(listener);
  }

  /**
   * Runs `listener` (not awaited; it must not throw) each time an account's session expires, a
   * generation type runs out of points, or a rate limit cools it down (with the level reached, so
   * the listener decides when repeated cooldowns matter). Staff alerts listen here.
   */
  onAccountHealth(listener: (event: AccountHealthEvent) => void): void {
    this.accountHealthListeners.push(listener);
  }

  private announceHealth(event: AccountHealthEvent): void {
    for (const listener of this.accountHealthListeners) listener(event);
  }

  private async countSuccesses(items: Array<{ accountId: string; kind: GenerationKind }>): Promise<void> {
    const totals = new Map<string, { accountId: string; kind: GenerationKind; count: number }>();
    for (const { accountId, kind } of items) {
      const key = `${accountId}:${kind}`;
      const total = totals.get(key) ?? { accountId, kind, count: 0 };
      total.count += 1;
      totals.set(key, total);
    }
    // last_used_at marks the account's credits as worth reading again (AccountMaintenanceService).
    const now = this.deps.clock.now();
    await Promise.all(
      [...totals.values()].map(({ accountId, kind, count }) =>
        this.deps.accounts.countUses(accountId, kind, count, now),
      ),
    );
  }

  /**
   * How many accounts could take the work if they were free; 0 means waiting for a slot is pointless.
   * Answered from the eligible-account cache: every waiting task asks this on every wake-up.
   */
  async countEligible(
    provider: string,
    kind: GenerationKind,
    options: { exclude?: string[] } = {},
  ): Promise<number> {
    const excluded = new Set(options.exclude ?? []);
    return (await this.eligible(provider, kind)).filter((account) => !excluded.has(account.id)).length;
  }

  /**
   * Slots the eligible accounts offer for this kind of work, busy or not (video capped by the
   * global video limit): the capacity staff alerts watch. A busy pool is working; a pool whose
   * accounts expired, ran out of points or cooled down has lost capacity until staff act.
   */
  async capacity(provider: string, kind: GenerationKind): Promise<number> {
    const slots = (await this.eligible(provider, kind)).reduce(
      (sum, account) => sum + this.slotLimit(account, kind, {}),
      0,
    );
    return kind === 'video' ? Math.min(slots, this.deps.globalVideoConcurrency) : slots;
  }

  /**
   * Accounts that will come back by themselves within `withinMs`: cooling down, or out of points
   * with a quota reset due. With rate_limit_handling `wait`, items wait for these instead of failing.
   */
  async countRecovering(provider: string, kind: GenerationKind, withinMs: number): Promise<number> {
    const horizon = new Date(this.deps.clock.now().getTime() + withinMs);
    return this.deps.accounts.countRecovering(provider, kind, horizon);
  }

  /**
   * Eligible accounts, cached for a second: under load every waiting task asks on every freed
   * slot, and the database would otherwise answer the same question hundreds of times a second.
   * State changes made in this process clear the cache at once; other nodes' within a second.
   */
  private async eligible(provider: string, kind: GenerationKind): Promise<AccountRow[]> {
    const key = `${provider}:${kind}`;
    const cached = this.eligibleCache.get(key);
    if (cached && cached.expires > Date.now()) return cached.rows;
    const loading = this.eligibleLoads.get(key);
    if (loading) return loading;
    const load = this.deps.accounts
      .eligible(provider, kind, { exclude: [], now: this.deps.clock.now(), limit: 500 })
      .then((rows) => {
        // A state change made while this read ran cleared the loads; its rows may predate it.
        if (this.eligibleLoads.get(key) === load)
          this.eligibleCache.set(key, { rows, expires: Date.now() + ELIGIBLE_CACHE_MS });
        return rows;
      })
      .finally(() => {
        if (this.eligibleLoads.get(key) === load) this.eligibleLoads.delete(key);
      });
    this.eligibleLoads.set(key, load);
    return load;
  }

  /** Drops the cached eligible accounts, e.g. when another node announces a staff change. */
  forgetEligible(): void {
    this.eligibleCache.clear();
    this.eligibleLoads.clear();
  }

  async lease(
    provider: string,
    kind: GenerationKind,
    options: LeaseOptions = {},
  ): Promise<AccountLease | null> {
    const excluded = new Set(options.exclude ?? []);
    const candidates = (await this.eligible(provider, kind)).filter((account) => !excluded.has(account.id));
    if (candidates.length === 0) return null;
    const strategy = options.strategy ?? this.deps.defaultStrategy;
    // The strategy orders the candidates; the lease store takes a slot on the first one with room
    // (or, for least_used, on the least loaded one, ties going to the earlier) in one atomic step.
    // Tasks leasing at the same moment never race each other through stale counts, and a lease
    // costs one Redis round trip however many accounts are full.
    const ordered = this.order(candidates, kind, strategy, new Map());
    const globalVideoLease = kind === 'video' ? this.deps.ids.uuid() : null;
    if (globalVideoLease) {
      const ok = await this.deps.leases.acquire(
        GLOBAL_VIDEO_SLOT,
        globalVideoLease,
        this.deps.globalVideoConcurrency,
        this.deps.leaseTtlMs,
      );
      if (!ok) return null;
    }
    const leaseId = this.deps.ids.uuid();
    const acquired = await this.deps.leases.acquireAny(
      ordered.map((account) => ({ accountId: account.id, limit: this.slotLimit(account, kind, options) })),
      leaseId,
      this.deps.leaseTtlMs,
      strategy === 'least_used' ? 'least_loaded' : 'first',
    );
    const account = ordered.find((candidate) => candidate.id === acquired);
    if (account) {
      account.last_used_at = this.deps.clock.now();
      // Round robin needs the shared order; the other strategies don't pay for the write.
      if (strategy === 'round_robin') await this.deps.accounts.saveLastUsed(account);
      return this.holdLease(account, leaseId, globalVideoLease, kind);
    }
    if (globalVideoLease) await this.deps.leases.release(GLOBAL_VIDEO_SLOT, globalVideoLease);
    return null;
  }

  /**
   * Waits for a slot, oldest waiter first. Resolves with a lease handed over by a task of this
   * process that just finished with it, or with null when `lease` is worth trying again: a slot
   * was released, the pool's watcher saw one free (other nodes' releases, lapsed leases), or
   * `timeoutMs` passed. One watcher read serves every waiter, so a saturated pool with hundreds
   * of waiting tasks costs one Redis round trip per poll, not hundreds. An abort ends the wait
   * with null (never with a lease nobody would release).
   */
  waitForSlot(
    provider: string,
    kind: GenerationKind,
    options: LeaseOptions,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<AccountLease | null> {
    return new Promise((resolve) => {
      const waiter: ReleaseWaiter = {
        provider,
        kind,
        options,
        wake: (lease) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.releaseWaiters.delete(waiter);
          resolve(lease);
        },
      };
      const onAbort = () => waiter.wake(null);
      const timer = setTimeout(onAbort, timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.releaseWaiters.add(waiter);
      this.startWatcher();
    });
  }

  /** The oldest waiter that may take a slot on this account straight away, if any. */
  private takerFor(account: AccountRow, kind: GenerationKind): ReleaseWaiter | undefined {
    // Only an account the pool still lists as eligible and healthy (no trial request) is handed on.
    const listed = this.eligibleCache.get(`${account.provider}:${kind}`);
    if (!listed || listed.expires <= Date.now()) return undefined;
    const current = listed.rows.find((row) => row.id === account.id);
    if (!current || current.account_status !== AccountStatus.normal) return undefined;
    for (const waiter of this.releaseWaiters) {
      if (waiter.provider !== account.provider || waiter.kind !== kind) continue;
      const { exclude, strategy, maxConcurrentPerAccount } = waiter.options;
      if (exclude?.includes(account.id)) continue;
      // Round robin keeps its shared order in the database; a lower per-task cap than the
      // account's own could be exceeded. Both take the ordinary path.
      if ((strategy ?? this.deps.defaultStrategy) === 'round_robin') continue;
      if (
        maxConcurrentPerAccount !== undefined &&
        maxConcurrentPerAccount < this.slotLimit(current, kind, {})
      )
        continue;
      return waiter;
    }
    return undefined;
  }

  /** Whether tasks of this provider and kind are already waiting for a slot in this process. */
  hasWaiters(provider: string, kind: GenerationKind): boolean {
    for (const waiter of this.releaseWaiters)
      if (waiter.provider === provider && waiter.kind === kind) return true;
    return false;
  }

  private startWatcher(): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      if (this.releaseWaiters.size === 0) {
        clearInterval(this.watcher!);
        this.watcher = null;
        return;
      }
      void this.wakeForFreeSlots().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'pool watcher could not read in-flight counts'),
      );
    }, this.deps.pollMs ?? 500);
    this.watcher.unref();
  }

  /** Wakes as many waiters of each provider and kind as its eligible accounts have free slots. */
  private async wakeForFreeSlots(): Promise<void> {
    const groups = new Map<string, ReleaseWaiter[]>();
    for (const waiter of this.releaseWaiters) {
      const key = `${waiter.provider}:${waiter.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), waiter]);
    }
    for (const waiters of groups.values()) {
      const { provider, kind } = waiters[0];
      const accounts = await this.eligible(provider, kind);
      // No account at all: every waiter should look again (and fail, or wait for a recovery).
      let free = accounts.length === 0 ? waiters.length : 0;
      if (accounts.length) {
        const inFlight = await this.deps.leases.inFlight(accounts.map((account) => account.id));
        for (const account of accounts)
          free += Math.max(0, this.slotLimit(account, kind, {}) - (inFlight.get(account.id) ?? 0));
      }
      for (const waiter of waiters.slice(0, free)) waiter.wake(null);
    }
  }

  /**
   * Slots in use and free per provider and account state, for the metrics (read when scraped).
   * Free counts what the pool could lease now: a normal account's max_concurrent less its leases,
   * one trial slot on a cooled-down account past its cooldown, nothing on the others.
   */
  async slotUsage(): Promise<PoolSlotUsage[]> {
    const accounts = await this.deps.accounts.slotStates();
    const inFlight = accounts.length
      ? await this.deps.leases.inFlight(accounts.map((account) => account.id))
      : new Map<string, number>();
    const now = this.deps.clock.now().getTime();
    const groups = new Map<string, PoolSlotUsage>();
    for (const account of accounts) {
      const state = ACCOUNT_STATE_NAMES[account.account_status] ?? 'unknown';
      const key = `${account.provider}:${state}`;
      const group = groups.get(key) ?? { provider: account.provider, state, inUse: 0, free: 0 };
      const inUse = inFlight.get(account.id) ?? 0;
      const coolingDone =
        account.account_status === AccountStatus.coolingDown &&
        (account.cooldown_until?.getTime() ?? 0) <= now;
      const limit =
        account.account_status === AccountStatus.normal ? account.max_concurrent : coolingDone ? 1 : 0;
      group.inUse += inUse;
      group.free += Math.max(0, limit - inUse);
      groups.set(key, group);
    }
    return [...groups.values()];
  }

  /** A cooled-down account past its cooldown gets one trial request (half-open) before full use. */
  private slotLimit(
    account: Pick<AccountRow, 'account_status' | 'max_concurrent'>,
    kind: GenerationKind,
    options: LeaseOptions,
  ): number {
    if (account.account_status === AccountStatus.coolingDown) return 1;
    const limit = options.maxConcurrentPerAccount ?? account.max_concurrent;
    return kind === 'video' ? Math.min(limit, this.deps.videoConcurrencyPerAccount) : limit;
  }

  /**
   * Orders candidates by strategy. Every strategy breaks ties toward accounts whose points reset
   * soonest: their unused points are worth the least, so they are spent first.
   */
  private order(
    accounts: AccountRow[],
    kind: GenerationKind,
    strategy: AccountStrategy,
    inFlight: Map<string, number>,
  ): AccountRow[] {
    const resetSoonest = (a: AccountRow, b: AccountRow) =>
      a.quota_reset_time.getTime() - b.quota_reset_time.getTime();
    const lastUsed = (row: AccountRow) => row.last_used_at?.getTime() ?? 0;
    const sorted = [...accounts];
    if (strategy === 'priority') {
      sorted.sort((a, b) => b.priority - a.priority || resetSoonest(a, b) || lastUsed(a) - lastUsed(b));
    } else if (strategy === 'least_used') {
      const used = (row: AccountRow) => (kind === 'image' ? row.image_count : row.video_count);
      sorted.sort(
        (a, b) =>
          (inFlight.get(a.id) ?? 0) - (inFlight.get(b.id) ?? 0) ||
          used(a) - used(b) ||
          resetSoonest(a, b) ||
          lastUsed(a) - lastUsed(b),
      );
    } else {
      sorted.sort((a, b) => lastUsed(a) - lastUsed(b) || resetSoonest(a, b));
    }
    return sorted;
  }

  private holdLease(
    account: AccountRow,
    leaseId: string,
    globalVideoLease: string | null,
    kind: GenerationKind,
    secret?: string,
  ): AccountLease {
    const ttl = this.deps.leaseTtlMs;
    // Heartbeat: a live worker keeps its lease; a dead one's lease lapses within one TTL.
    const heartbeat = setInterval(
      () => {
        void this.deps.leases.renew(account.id, leaseId, ttl).catch(() => undefined);
        if (globalVideoLease)
          void this.deps.leases.renew(GLOBAL_VIDEO_SLOT, globalVideoLease, ttl).catch(() => undefined);
      },
      Math.max(250, Math.floor(ttl / 3)),
    );
    heartbeat.unref();
    let released = false;
    const lease: AccountLease = {
      accountId: account.id,
      accountName: account.name,
      siteType: account.site_type,
      secret: secret ?? this.deps.secrets.open(account.secret_enc),
      halfOpen: account.account_status === AccountStatus.coolingDown,
      release: async (options = {}) => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        const taker =
          options.handOver && !lease.halfOpen && !globalVideoLease ? this.takerFor(account, kind) : undefined;
        if (taker) {
          // The Redis lease stays as it is (same id, same TTL); only its holder changes.
          account.last_used_at = this.deps.clock.now();
          taker.wake(this.holdLease(account, leaseId, null, kind, lease.secret));
          return;
        }
        await this.deps.leases.release(account.id, leaseId);
        if (globalVideoLease) await this.deps.leases.release(GLOBAL_VIDEO_SLOT, globalVideoLease);
        // Wake one waiter per freed slot (oldest first): waking all of them would send every
        // waiting task after a single slot.
        for (const waiter of this.releaseWaiters) {
          if (waiter.provider !== account.provider) continue;
          waiter.wake(null);
          break;
        }
      },
    };
    return lease;
  }

  /** Counts the success; a successful trial request (half-open) closes a cooled-down account's circuit. */
  async reportSuccess(accountId: string, kind: GenerationKind, halfOpen = true): Promise<void> {
    await this.successes.add('success', { accountId, kind });
    if (!halfOpen) return;
    this.forgetEligible();
    await this.deps.accounts.closeCircuit(accountId);
  }

  /** Applies PROVIDERS.md's classification to the account; content and parameter errors never blame it. */
  async reportFailure(accountId: string, kind: GenerationKind, error: ProviderError): Promise<void> {
    const { accounts } = this.deps;
    const now = this.deps.clock.now();
    const message = `${error.kind}: ${error.message}`.slice(0, 1024);
    this.forgetEligible();
    const base = { last_error: message, last_error_at: now, update_time: now };
    switch (error.kind) {
      case 'session_expired': {
        const changed = await accounts.updateById(accountId, {
          ...base,
          account_status: AccountStatus.invalid,
          status_reason: 'Session expired: update the session id',
        });
        if (changed) this.announceHealth({ accountId, problem: 'session_expired' });
        break;
      }
      case 'out_of_credits': {
        const changed = await accounts.updateById(accountId, {
          ...base,
          [kind === 'image' ? 'image_generation_status' : 'video_generation_status']: 0,
          status_reason: `Out of points for ${kind} generation until the quota reset`,
          // Its credits are news now: the next maintenance run reads them if nobody does sooner.
          credits_checked_at: null,
        });
        if (changed) {
          for (const listener of this.outOfCreditsListeners) listener(accountId);
          this.announceHealth({ accountId, problem: 'out_of_credits', kind });
        }
        break;
      }
      case 'rate_limited': {
        const account = await accounts.byId(accountId);
        const level = account?.cooldown_level ?? 0;
        const until = new Date(now.getTime() + cooldownMs(level));
        const changed = await accounts.updateById(accountId, {
          ...base,
          account_status: AccountStatus.coolingDown,
          cooldown_level: level + 1,
          cooldown_until: until,
          status_reason: `Rate limited (${error.message.slice(0, 80)}): cooling down until ${until.toISOString()}`,
        });
        if (changed)
          this.announceHealth({ accountId, problem: 'cooling_down', cooldownLevel: level + 1, until });
        break;
      }
      case 'invalid_request':
      case 'content_blocked':
      case 'bad_input_file':
        break; // the account did nothing wrong
      default:
        await accounts.updateById(accountId, base);
    }
    this.deps.logger.warn(
      { accountId, kind: error.kind, upstreamCode: error.upstreamCode },
      'provider call failed',
    );
  }
}
