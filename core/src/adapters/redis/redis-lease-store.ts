import type { Redis } from 'ioredis';
import type { LeaseStore } from '../../ports/lease-store.port.js';

// One sorted set per account: member = lease id, score = expiry (ms). Expired members are
// dropped before counting, which is what makes leases survive crashed workers.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

// KEYS: the candidates' sets in preference order; ARGV: now, expiry, lease id, key TTL, pick mode,
// then each candidate's limit. Returns the 1-based index of the candidate taken, or 0.
const ACQUIRE_ANY = `
local best, bestLoad = 0, nil
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  local load = redis.call('ZCARD', key)
  if load < tonumber(ARGV[5 + i]) then
    if ARGV[5] == 'first' then best = i break end
    if bestLoad == nil or load < bestLoad then best, bestLoad = i, load end
  end
end
if best > 0 then
  redis.call('ZADD', KEYS[best], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[best], ARGV[4])
end
return best`;

export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(accountId: string) {
    return `${this.prefix}:lease:${accountId}`;
  }

  async acquire(accountId: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const result = await this.redis.eval(
      ACQUIRE,
      1,
      this.key(accountId),
      now,
      limit,
      now + ttlMs,
      leaseId,
      ttlMs * 2,
    );
    return result === 1;
  }

  async acquireAny(
    candidates: Array<{ accountId: string; limit: number }>,
    leaseId: string,
    ttlMs: number,
    pick: 'first' | 'least_loaded',
  ): Promise<string | null> {
    if (candidates.length === 0) return null;
    const now = Date.now();
    const index = Number(
      await this.redis.eval(
        ACQUIRE_ANY,
        candidates.length,
        ...candidates.map((candidate) => this.key(candidate.accountId)),
        now,
        now + ttlMs,
        leaseId,
        ttlMs * 2,
        pick,
        ...candidates.map((candidate) => candidate.limit),
      ),
    );
    return index > 0 ? candidates[index - 1].accountId : null;
  }

  async renew(accountId: string, leaseId: string, ttlMs: number): Promise<void> {
    // Not XX: a lease Redis lost (flush, empty restart) is written again, so the call still
    // running counts against its account. A renewal never lands after its release: the holder
    // stops renewing before it releases, and both go down this one connection in order.
    await this.redis.zadd(this.key(accountId), Date.now() + ttlMs, leaseId);
    await this.redis.pexpire(this.key(accountId), ttlMs * 2);
  }

  async release(accountId: string, leaseId: string): Promise<void> {
    await this.redis.zrem(this.key(accountId), leaseId);
  }

  async inFlight(accountIds: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (accountIds.length === 0) return counts;
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const id of accountIds) pipeline.zcount(this.key(id), `(${now}`, '+inf');
    const results = (await pipeline.exec()) ?? [];
    accountIds.forEach((id, index) => counts.set(id, Number(results[index]?.[1] ?? 0)));
    return counts;
  }
}
