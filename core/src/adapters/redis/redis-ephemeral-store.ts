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
  private hits: Array<() => void> = [];

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
    const [count, ttl] = await new Promise<[number, number]>((resolve, reject) => {
      const send = () =>
        (this.redis as unknown as HitCommand)
          .dreamloomHit(`${this.prefix}:rl:${key}`, String(windowMs))
          .then(resolve, reject);
      if (this.hits.push(send) === 1) setImmediate(() => this.sendHits());
    });
    return { count, resetMs: Math.max(0, ttl) };
  }

  /**
   * The hits of one event-loop turn (a burst of chat requests parsed together) leave in one
   * corked socket write after the turn, not one write each between the requests' upstream calls.
   */
  private sendHits(): void {
    const batch = this.hits;
    this.hits = [];
    const socket = (this.redis as unknown as { stream?: { cork(): void; uncork(): void } }).stream;
    socket?.cork();
    try {
      for (const send of batch) send();
    } finally {
      socket?.uncork();
    }
  }
}
