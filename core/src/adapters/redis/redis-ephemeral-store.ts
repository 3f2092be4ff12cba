import type { Redis } from 'ioredis';
import type { EphemeralStore } from '../../ports/ephemeral-store.port.js';

const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

export class RedisEphemeralStore implements EphemeralStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}:eph:${key}`, value, 'PX', ttlMs);
  }

  async take(key: string): Promise<string | null> {
    // GETDEL (Redis 6.2+) makes the read and the delete one step, so a nonce is usable once.
    return this.redis.getdel(`${this.prefix}:eph:${key}`);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }> {
    const [count, ttl] = (await this.redis.eval(HIT, 1, `${this.prefix}:rl:${key}`, String(windowMs))) as [
      number,
      number,
    ];
    return { count, resetMs: Math.max(0, ttl) };
  }
}
