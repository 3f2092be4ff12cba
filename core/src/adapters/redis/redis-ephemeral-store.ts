import type { Redis } from 'ioredis';
import type { EphemeralStore } from '../../ports/ephemeral-store.port.js';

const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

interface HitCommand {
  dreamloomHit(key: string, windowMs: string): Promise<[number, number]>;
}

export class RedisEphemeralStore implements EphemeralStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    // A defined command runs by its SHA (EVALSHA, falling back to EVAL once per connection), so a
    // hit, one per story request, sends a few dozen bytes instead of the script's text each time.
    if (!('dreamloomHit' in redis)) redis.defineCommand('dreamloomHit', { numberOfKeys: 1, lua: HIT });
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}:eph:${key}`, value, 'PX', ttlMs);
  }

  async take(key: string): Promise<string | null> {
    // GETDEL (Redis 6.2+) makes the read and the delete one step, so a nonce is usable once.
    return this.redis.getdel(`${this.prefix}:eph:${key}`);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const hit = (this.redis as unknown as HitCommand).dreamloomHit;
    const [count, ttl] = await hit.call(this.redis, `${this.prefix}:rl:${key}`, String(windowMs));
    return { count, resetMs: Math.max(0, ttl) };
  }
}
