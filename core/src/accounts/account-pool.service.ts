import type { AccountRepository, AccountRow, GenerationKind } from './account.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { ProviderError } from '../ports/image-provider.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { Logger } from '../shared/logger.js';
import type { PoolSlotUsage } from '../shared/metrics/pool-metrics.js';
import { AccountHealthReports } from './account-health-reports.js';
import { orderCandidates, slotLimit } from './account-order.js';
import type {
  AccountHealthEvent,
  AccountLease,
  AccountStrategy,
  LeaseOptions,
} from './account-pool.types.js';
import { EligibleAccounts } from './eligible-accounts.js';
import { AccountStatus } from './jimeng-account.types.js';
import { SlotWaiters } from './slot-waiters.js';

// The pool's vocabulary, for callers of its methods (account-pool.types.ts).
export type {
  AccountHealthEvent,
  AccountLease,
  AccountStrategy,
  GenerationKind,
  LeaseOptions,
  RateLimitHandling,
} from './account-pool.types.js';

/** account_status values as the metrics name them. */
const ACCOUNT_STATE_NAMES: Record<number, string> = {
  [AccountStatus.normal]: 'normal',
  [AccountStatus.invalid]: 'invalid',
  [AccountStatus.coolingDown]: 'cooling_down',
  [AccountStatus.disabled]: 'disabled',
};

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

const GLOBAL_VIDEO_SLOT = 'global:video';

/**
 * The provider account pool: picks an eligible account by strategy, holds a TTL'd, heartbeated
 * lease on one of its concurrency slots (so a crashed worker never leaks in-flight counts), and
 * records what each provider failure means for the account. Every state lives in the database
 * or Redis, so disables and cooldowns are shared by all worker nodes.
 *
 * Leasing lives here; its parts have their own files: the cached eligible accounts
 * (eligible-accounts.ts), candidate order and slot limits (account-order.ts), tasks waiting for a
 * slot (slot-waiters.ts) and what call outcomes mean for an account (account-health-reports.ts).
 */
export class AccountPoolService {
  private readonly eligible: EligibleAccounts;
  private readonly waiters: SlotWaiters;
  private readonly health: AccountHealthReports;

  constructor(private readonly deps: Deps) {
    this.eligible = new EligibleAccounts({ accounts: deps.accounts, clock: deps.clock });
    this.waiters = new SlotWaiters({
      eligible: this.eligible,
      leases: deps.leases,
      logger: deps.logger,
      defaultStrategy: deps.defaultStrategy,
      videoConcurrencyPerAccount: deps.videoConcurrencyPerAccount,
      pollMs: deps.pollMs ?? 500,
    });
    this.health = new AccountHealthReports({
      accounts: deps.accounts,
      clock: deps.clock,
      logger: deps.logger,
      stateChanged: () => this.forgetEligible(),
    });
  }

  /** Runs `listener` (not awaited) each time an account is found out of points for image or video work. */
  onOutOfCredits(listener: (accountId: string) => void): void {
    this.health.onOutOfCredits(listener);
  }

  /** Runs `listener` (not awaited; it must not throw) when a failure takes an account out of service. */
  onAccountHealth(listener: (event: AccountHealthEvent) => void): void {
    this.health.onAccountHealth(listener);
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
    return (await this.eligible.get(provider, kind)).filter((account) => !excluded.has(account.id)).length;
  }

  /**
   * Slots the eligible accounts offer for this kind of work, busy or not (video capped by the
   * global video limit): the capacity staff alerts watch. A busy pool is working; a pool whose
   * accounts expired, ran out of points or cooled down has lost capacity until staff act.
   */
  async capacity(provider: string, kind: GenerationKind): Promise<number> {
    const slots = (await this.eligible.get(provider, kind)).reduce(
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

  /** Drops the cached eligible accounts, e.g. when another node announces a staff change. */
  forgetEligible(): void {
    this.eligible.forget();
  }

  async lease(
    provider: string,
    kind: GenerationKind,
    options: LeaseOptions = {},
  ): Promise<AccountLease | null> {
    const excluded = new Set(options.exclude ?? []);
    const candidates = (await this.eligible.get(provider, kind)).filter(
      (account) => !excluded.has(account.id),
    );
    if (candidates.length === 0) return null;
    const strategy = options.strategy ?? this.deps.defaultStrategy;
    // The strategy orders the candidates; the lease store takes a slot on the first one with room
    // (or, for least_used, on the least loaded one, ties going to the earlier) in one atomic step.
    // Tasks leasing at the same moment never race each other through stale counts, and a lease
    // costs one Redis round trip however many accounts are full.
    const ordered = orderCandidates(candidates, kind, strategy, new Map());
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

  /** Waits for a slot, oldest waiter first (see SlotWaiters.waitForSlot). */
  waitForSlot(
    provider: string,
    kind: GenerationKind,
    options: LeaseOptions,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<AccountLease | null> {
    return this.waiters.waitForSlot(provider, kind, options, timeoutMs, signal);
  }

  /** Whether tasks of this provider and kind are already waiting for a slot in this process. */
  hasWaiters(provider: string, kind: GenerationKind): boolean {
    return this.waiters.has(provider, kind);
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

  private slotLimit(
    account: Pick<AccountRow, 'account_status' | 'max_concurrent'>,
    kind: GenerationKind,
    options: LeaseOptions,
  ): number {
    return slotLimit(account, kind, options, this.deps.videoConcurrencyPerAccount);
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
        // The Redis lease stays as it is (same id, same TTL); only its holder changes.
        const handedOver =
          options.handOver &&
          !lease.halfOpen &&
          !globalVideoLease &&
          this.waiters.handOver(account, kind, () => {
            account.last_used_at = this.deps.clock.now();
            return this.holdLease(account, leaseId, null, kind, lease.secret);
          });
        if (handedOver) return;
        await this.deps.leases.release(account.id, leaseId);
        if (globalVideoLease) await this.deps.leases.release(GLOBAL_VIDEO_SLOT, globalVideoLease);
        this.waiters.wakeOne(account.provider);
      },
    };
    return lease;
  }

  /** Counts the success; a successful trial request (half-open) closes a cooled-down account's circuit. */
  reportSuccess(accountId: string, kind: GenerationKind, halfOpen = true): Promise<void> {
    return this.health.reportSuccess(accountId, kind, halfOpen);
  }

  /** Applies PROVIDERS.md's classification to the account; content and parameter errors never blame it. */
  reportFailure(accountId: string, kind: GenerationKind, error: ProviderError): Promise<void> {
    return this.health.reportFailure(accountId, kind, error);
  }
}
