import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullmqJobQueue } from './bullmq-job-queue.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BullmqJobQueue', () => {
  // A prefix of its own: the test only ever touches (and removes) its own keys.
  const prefix = `test-bullmq-${randomUUID()}`;
  const url = new URL(REDIS_URL);
  const queue = new BullmqJobQueue(
    { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
    prefix,
    pino({ level: 'silent' }),
    { scheduleRenewMs: 300 },
  );

  afterAll(async () => {
    await queue.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('runs exactly `concurrency` jobs at once when the concurrency is split across workers', async () => {
    const concurrency = 30; // more than one worker's share
    const total = 45;
    let running = 0;
    let peak = 0;
    const done = new Set<string>();
    const gates: Array<() => void> = [];
    await queue.process<{ n: number }>(
      'split',
      async (payload) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        done.add(String(payload.n));
      },
      { concurrency },
    );
    await queue.enqueueMany(
      'split',
      Array.from({ length: total }, (_, n) => ({ payload: { n }, options: { jobId: `split-${n}` } })),
    );
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(() => running === concurrency);
    // Held at the limit: no worker takes a job beyond its share while the others are full.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running).toBe(concurrency);
    const release = async () => {
      while (done.size < total) {
        gates.splice(0).forEach((open) => open());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await release();
    expect(peak).toBe(concurrency);
    expect(done.size).toBe(total);
    expect((await queue.counts('split')).waiting).toBe(0);
  });

  it('cancels an active job whichever of the split workers runs it', async () => {
    const started: string[] = [];
    const aborted: string[] = [];
    await queue.process<{ id: string }>(
      'cancel',
      (payload, { signal }) =>
        new Promise<void>((resolve) => {
          started.push(payload.id);
          signal.addEventListener('abort', () => {
            aborted.push(payload.id);
            resolve();
          });
        }),
      { concurrency: 25 },
    );
    await queue.enqueueMany(
      'cancel',
      Array.from({ length: 20 }, (_, n) => ({ payload: { id: `c-${n}` }, options: { jobId: `c-${n}` } })),
    );
    const deadline = Date.now() + 10_000;
    while (started.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(started).toHaveLength(20);
    for (const id of started) expect(queue.cancelActive('cancel', id)).toBe(true);
    while (aborted.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(aborted.sort()).toEqual([...started].sort());
  });

  it('re-creates its job schedulers when Redis loses them (FLUSHALL, failover) within one renew interval', async () => {
    let runs = 0;
    await queue.process('tick', async () => void (runs += 1), { concurrency: 1 });
    await queue.schedule('tick', 'tick-every-200ms', 200, {});
    const waitForRuns = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (runs < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return runs >= count;
    };
    expect(await waitForRuns(2)).toBe(true);
    // Redis forgets the scheduler and its next job (only this queue's keys: the test shares Redis).
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:tick:*`);
    await redis.del(...keys);
    await redis.quit();
    const lostAt = Date.now();
    runs = 0;
    expect(await waitForRuns(2)).toBe(true);
    // One renew interval (300 ms) plus one tick (200 ms) plus scheduling slack.
    expect(Date.now() - lostAt).toBeLessThan(2_000);
  });
});
