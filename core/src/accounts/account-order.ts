/** How the pool ranks candidate accounts and how many slots each offers (pure, no I/O). */
import type { AccountRow, GenerationKind } from './account.repository.js';
import type { AccountStrategy, LeaseOptions } from './account-pool.types.js';
import { AccountStatus } from './jimeng-account.types.js';

/**
 * Slots an account offers for this kind of work. A cooled-down account past its cooldown gets
 * one trial request (half-open) before full use; video is capped per account as well.
 */
export function slotLimit(
  account: Pick<AccountRow, 'account_status' | 'max_concurrent'>,
  kind: GenerationKind,
  options: LeaseOptions,
  videoConcurrencyPerAccount: number,
): number {
  if (account.account_status === AccountStatus.coolingDown) return 1;
  const limit = options.maxConcurrentPerAccount ?? account.max_concurrent;
  return kind === 'video' ? Math.min(limit, videoConcurrencyPerAccount) : limit;
}

/**
 * Orders candidates by strategy. Every strategy breaks ties toward accounts whose points reset
 * soonest: their unused points are worth the least, so they are spent first.
 */
export function orderCandidates(
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
