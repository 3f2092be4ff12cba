import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisLeaseStore } from './redis-lease-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisLeaseStore', () => {
  // A prefix of its own: losing "everything" here means deleting this prefix's keys, never a flush.
  const prefix = `test-lease-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  const leases = new RedisLeaseStore(redis, prefix);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts a held lease again at its next renewal after Redis lost it; a released one stays gone', async () => {
    expect(await leases.acquire('account-1', 'lease-a', 1, 10_000)).toBe(true);
    expect(await leases.acquire('account-1', 'lease-b', 1, 10_000)).toBe(false);

    await redis.del(...(await redis.keys(`${prefix}:*`))); // what a FLUSHALL does to the prefix
    expect((await leases.inFlight(['account-1'])).get('account-1')).toBe(0);
    // The holder's heartbeat: its call still runs, so it counts again and the slot is full.
    await leases.renew('account-1', 'lease-a', 10_000);
    expect((await leases.inFlight(['account-1'])).get('account-1')).toBe(1);
    expect(await leases.acquire('account-1', 'lease-b', 1, 10_000)).toBe(false);

    await leases.release('account-1', 'lease-a');
    expect((await leases.inFlight(['account-1'])).get('account-1')).toBe(0);
    expect(await redis.pttl(`${prefix}:lease:account-1`)).toBeLessThanOrEqual(20_000);
  });
});
