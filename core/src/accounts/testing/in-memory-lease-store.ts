import type { LeaseStore } from '../../ports/lease-store.port.js';

/**
 * The lease store in memory (one process): the same counting rules as RedisLeaseStore — leases
 * expire after their TTL, expired ones never count, `acquireAny` picks the first candidate with
 * room or the least loaded one (earlier wins ties). `now` is replaceable so tests can let leases
 * lapse without waiting.
 */
export class InMemoryLeaseStore implements LeaseStore {
  /** account id → lease id → expiry (ms). */
  private readonly leases = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(accountId: string): Map<string, number> {
    const held = this.leases.get(accountId) ?? new Map<string, number>();
    const now = this.now();
    for (const [leaseId, expiry] of held) if (expiry <= now) held.delete(leaseId);
    this.leases.set(accountId, held);
    return held;
  }

  async acquire(accountId: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean> {
    const held = this.live(accountId);
    if (held.size >= limit) return false;
    held.set(leaseId, this.now() + ttlMs);
    return true;
  }

  async acquireAny(
    candidates: Array<{ accountId: string; limit: number }>,
    leaseId: string,
    ttlMs: number,
    pick: 'first' | 'least_loaded',
  ): Promise<string | null> {
    let best: { accountId: string; load: number } | null = null;
    for (const { accountId, limit } of candidates) {
      const load = this.live(accountId).size;
      if (load >= limit) continue;
      if (pick === 'first') {
        best = { accountId, load };
        break;
      }
      if (!best || load < best.load) best = { accountId, load };
    }
    if (!best) return null;
    this.live(best.accountId).set(leaseId, this.now() + ttlMs);
    return best.accountId;
  }

  async renew(accountId: string, leaseId: string, ttlMs: number): Promise<void> {
    this.live(accountId).set(leaseId, this.now() + ttlMs);
  }

  async release(accountId: string, leaseId: string): Promise<void> {
    this.live(accountId).delete(leaseId);
  }

  async inFlight(accountIds: string[]): Promise<Map<string, number>> {
    return new Map(accountIds.map((id) => [id, this.live(id).size]));
  }
}
