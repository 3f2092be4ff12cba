import type { LeaseStore } from '../ports/lease-store.port.js';
import type { Logger } from '../shared/logger.js';
import type { AccountRow, GenerationKind } from './account.repository.js';
import { slotLimit } from './account-order.js';
import type { AccountLease, AccountStrategy, LeaseOptions } from './account-pool.types.js';
import type { EligibleAccounts } from './eligible-accounts.js';
import { AccountStatus } from './jimeng-account.types.js';

interface Deps {
  eligible: EligibleAccounts;
  leases: LeaseStore;
  logger: Logger;
  defaultStrategy: AccountStrategy;
  videoConcurrencyPerAccount: number;
  /** How often the watcher reads in-flight counts while tasks wait (other nodes' releases). */
  pollMs: number;
}

interface ReleaseWaiter {
  provider: string;
  kind: GenerationKind;
  options: LeaseOptions;
  /** Ends the wait: with a lease handed over, or with null to try `lease` again. */
  wake(lease: AccountLease | null): void;
}

/**
 * The tasks of this process waiting for a pool slot, oldest first. They are woken by this
 * process's releases (one per freed slot, or a lease handed over directly), or by one watcher that
 * reads the in-flight counts for every waiter (other nodes' releases, lapsed leases).
 */
export class SlotWaiters {
  /** Waiters in arrival order. */
  private readonly waiters = new Set<ReleaseWaiter>();
  private watcher: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Deps) {}

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
          this.waiters.delete(waiter);
          resolve(lease);
        },
      };
      const onAbort = () => waiter.wake(null);
      const timer = setTimeout(onAbort, timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.startWatcher();
    });
  }

  /**
   * Hands `lease` (made by `handOver` for the waiter) to the oldest waiter that may take a slot on
   * this account straight away; false when there is none.
   */
  handOver(account: AccountRow, kind: GenerationKind, lease: () => AccountLease): boolean {
    const taker = this.takerFor(account, kind);
    if (!taker) return false;
    taker.wake(lease());
    return true;
  }

  /** The oldest waiter that may take a slot on this account straight away, if any. */
  private takerFor(account: AccountRow, kind: GenerationKind): ReleaseWaiter | undefined {
    // Only an account the pool still lists as eligible and healthy (no trial request) is handed on.
    const listed = this.deps.eligible.fresh(account.provider, kind);
    if (!listed) return undefined;
    const current = listed.find((row) => row.id === account.id);
    if (!current || current.account_status !== AccountStatus.normal) return undefined;
    for (const waiter of this.waiters) {
      if (waiter.provider !== account.provider || waiter.kind !== kind) continue;
      const { exclude, strategy, maxConcurrentPerAccount } = waiter.options;
      if (exclude?.includes(account.id)) continue;
      // Round robin keeps its shared order in the database; a lower per-task cap than the
      // account's own could be exceeded. Both take the ordinary path.
      if ((strategy ?? this.deps.defaultStrategy) === 'round_robin') continue;
      if (
        maxConcurrentPerAccount !== undefined &&
        maxConcurrentPerAccount < slotLimit(current, kind, {}, this.deps.videoConcurrencyPerAccount)
      )
        continue;
      return waiter;
    }
    return undefined;
  }

  /** Wakes the oldest waiter for this provider (one per freed slot: waking all would send every one after it). */
  wakeOne(provider: string): void {
    for (const waiter of this.waiters) {
      if (waiter.provider !== provider) continue;
      waiter.wake(null);
      break;
    }
  }

  /** Whether tasks of this provider and kind are already waiting for a slot in this process. */
  has(provider: string, kind: GenerationKind): boolean {
    for (const waiter of this.waiters) if (waiter.provider === provider && waiter.kind === kind) return true;
    return false;
  }

  private startWatcher(): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      if (this.waiters.size === 0) {
        clearInterval(this.watcher!);
        this.watcher = null;
        return;
      }
      void this.wakeForFreeSlots().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'pool watcher could not read in-flight counts'),
      );
    }, this.deps.pollMs);
    this.watcher.unref();
  }

  /** Wakes as many waiters of each provider and kind as its eligible accounts have free slots. */
  private async wakeForFreeSlots(): Promise<void> {
    const groups = new Map<string, ReleaseWaiter[]>();
    for (const waiter of this.waiters) {
      const key = `${waiter.provider}:${waiter.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), waiter]);
    }
    for (const waiters of groups.values()) {
      const { provider, kind } = waiters[0];
      const accounts = await this.deps.eligible.get(provider, kind);
      // No account at all: every waiter should look again (and fail, or wait for a recovery).
      let free = accounts.length === 0 ? waiters.length : 0;
      if (accounts.length) {
        const inFlight = await this.deps.leases.inFlight(accounts.map((account) => account.id));
        for (const account of accounts)
          free += Math.max(
            0,
            slotLimit(account, kind, {}, this.deps.videoConcurrencyPerAccount) -
              (inFlight.get(account.id) ?? 0),
          );
      }
      for (const waiter of waiters.slice(0, free)) waiter.wake(null);
    }
  }
}
