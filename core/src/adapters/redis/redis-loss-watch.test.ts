import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisLossWatch } from './redis-loss-watch.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Waits until `done()` holds, polling; false when `timeoutMs` passed first. */
async function eventually(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return done();
}

describe('RedisLossWatch', () => {
  // A prefix of its own: losing "everything" here means deleting this prefix's keys, never a flush.
  const prefix = `test-loss-${randomUUID()}`;
  const redis = new Redis(REDIS_URL);
  const watches: RedisLossWatch[] = [];

  afterAll(async () => {
    for (const watch of watches) await watch.stop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('tells every process of a loss (each its own marker), and nothing while Redis keeps its data', async () => {
    const losses = [0, 0];
    for (const index of [0, 1]) {
      const watch = new RedisLossWatch({ redis, prefix, intervalMs: 100, logger: pino({ level: 'silent' }) });
      watch.onLoss(() => (losses[index] += 1));
      await watch.start();
      watches.push(watch);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(losses).toEqual([0, 0]);

    // What a FLUSHALL does to this deployment's keys.
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toHaveLength(2);
    await redis.del(...keys);
    // The first watch to check re-creates only its own marker: the other still notices.
    expect(await eventually(() => losses[0] === 1 && losses[1] === 1, 5_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(losses).toEqual([1, 1]);
  });

  it('removes its marker when stopped', async () => {
    const watch = new RedisLossWatch({ redis, prefix, intervalMs: 100, logger: pino({ level: 'silent' }) });
    await watch.start();
    const before = (await redis.keys(`${prefix}:*`)).length;
    await watch.stop();
    expect((await redis.keys(`${prefix}:*`)).length).toBe(before - 1);
  });
});
