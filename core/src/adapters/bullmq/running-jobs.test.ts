import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullmqJobQueue } from './bullmq-job-queue.js';
import { RunningJobs } from './running-jobs.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function eventually<T>(read: () => Promise<T>, wanted: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

/**
 * Two processes on one deployment's Redis (a prefix of the test's own): one runs a job, then
 * Redis loses every key (what a FLUSHALL does to the prefix). The other must still hear "active"
 * for that job, or the reconciler would queue its task a second time.
 */
describe('RunningJobs', () => {
  const prefix = `test-running-${randomUUID()}`;
  const logger = pino({ level: 'silent' });
  const connections = [0, 1].map(() => new Redis(REDIS_URL, { maxRetriesPerRequest: null }));
  const [runner, observer] = connections.map(
    (redis) =>
      new BullmqJobQueue(redis, prefix, logger, { runningJobs: new RunningJobs(redis, prefix, 100) }),
  );

  let release: (() => void) | undefined;

  afterAll(async () => {
    release?.(); // a failed assertion must not leave the held job keeping the worker open
    await runner.close();
    await observer.close();
    const keys = await connections[0].keys(`${prefix}:*`);
    if (keys.length) await connections[0].del(...keys);
    for (const redis of connections) redis.disconnect();
  });

  it('answers active for a job a live process runs after Redis lost it, missing once it ended', async () => {
    const started = new Promise<void>((resolve) =>
      runner.process(
        'hold',
        async () => {
          resolve();
          await new Promise<void>((done) => (release = done));
        },
        { concurrency: 1 },
      ),
    );
    await runner.enqueue('hold', {}, { jobId: 'held' });
    await started;
    expect(await observer.state('hold', 'held')).toBe('active');

    const keys = await connections[0].keys(`${prefix}:*`);
    await connections[0].del(...keys);
    expect(await connections[0].exists(`${prefix}:hold:held`)).toBe(0);
    // Written down again by the runner within a renewal (100 ms).
    expect(await eventually(() => observer.state('hold', 'held'), 'active', 2_000)).toBe('active');
    expect(await observer.state('hold', 'never-queued')).toBe('missing');

    release!();
    // No longer renewed: the entry lapses within three renewals.
    expect(await eventually(() => observer.state('hold', 'held'), 'missing', 3_000)).toBe('missing');
  });
});
