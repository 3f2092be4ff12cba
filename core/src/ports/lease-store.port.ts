/**
 * Counts in-flight work per provider account across every worker process. Leases expire on
 * their own (TTL) so a crashed worker can never leave an account's in-flight count stuck.
 */
export interface LeaseStore {
  /** Takes a slot when fewer than `limit` unexpired leases exist; returns false otherwise. */
  acquire(accountId: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Extends a held lease (long generations heartbeat with it). */
  renew(accountId: string, leaseId: string, ttlMs: number): Promise<void>;
  release(accountId: string, leaseId: string): Promise<void>;
  inFlight(accountIds: string[]): Promise<Map<string, number>>;
}
