/**
 * Counts in-flight work per provider account across every worker process. Leases expire on
 * their own (TTL) so a crashed worker can never leave an account's in-flight count stuck.
 */
export interface LeaseStore {
  /** Takes a slot when fewer than `limit` unexpired leases exist; returns false otherwise. */
  acquire(accountId: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean>;
  /**
   * Takes one slot among `candidates` in one atomic step and returns the account it is on (null
   * when all are full): with `first`, the first candidate with room; with `least_loaded`, the one
   * with the fewest unexpired leases (earlier candidates win ties). Many workers asking at once
   * never all pick the same account from one stale reading of the counts.
   */
  acquireAny(
    candidates: Array<{ accountId: string; limit: number }>,
    leaseId: string,
    ttlMs: number,
    pick: 'first' | 'least_loaded',
  ): Promise<string | null>;
  /**
   * Extends a held lease (long generations heartbeat with it), writing it again when the store
   * lost it (a Redis flush or empty restart) so that work under way keeps counting.
   */
  renew(accountId: string, leaseId: string, ttlMs: number): Promise<void>;
  release(accountId: string, leaseId: string): Promise<void>;
  inFlight(accountIds: string[]): Promise<Map<string, number>>;
}
