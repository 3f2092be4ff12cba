import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullmqJobQueue } from './bullmq-job-queue.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Short locks (QUEUE_LOCK_MS) make a dead worker's jobs come back quickly; they must never make a
 * live worker's long job (a Jimeng call may take ten minutes) look dead. Here a job runs for four
 * lock durations while a second process, idle and checking for stalled jobs every 200 ms, waits
 * for work on the same queue: the job runs once, and nobody finds it stalled.
 */
describe('BullMQ lock renewal of long jobs', () => {
  const prefix = `test-lock-${randomUUID()}`;
  const logger = pino({ level: 'silent' });
  const connections = [0, 1].map(() => new Redis(REDIS_URL, { maxRetriesPerRequest: null }));
  const stalled: string[] = [];
  const [first, second] = connections.map(
    (redis) =>
      new BullmqJobQueue(redis, prefix, logger, {
        lockDurationMs: 1000,
        stalledIntervalMs: 200,
        onStalled: (queue) => stalled.push(queue),
      }),
  );

  afterAll(async () => {
    await first.close();
    await second.close();
    const keys = await connections[0].keys(`${prefix}:*`);
    if (keys.length) await connections[0].del(...keys);
    for (const redis of connections) redis.disconnect();
  });

  it('keeps the lock of a job running for four lock durations: run once, never stalled', async () => {
    const runs: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const longJob = (process: string) => async () => {
      runs.push(process);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      finished();
    };
    await first.process('long', longJob('first'), { concurrency: 1 });
    await first.enqueue('long', {}, { jobId: 'long-1' });
    while (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // The second process joins once the first holds the job: only a stall could hand it over.
    await second.process('long', longJob('second'), { concurrency: 1 });
    await done;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs).toEqual(['first']);
    expect(stalled).toEqual([]);
    expect(await first.state('long', 'long-1')).toBe('completed');
  }, 20_000);
});
