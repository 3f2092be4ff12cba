import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, startWorker, type Core } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';

/**
 * The database is the source of truth for fanned-out tasks too: when Redis loses the sub-jobs,
 * the reconciler re-queues the task and the fan-out runner re-queues its unfinished positions.
 */
describe('NanoBanana fan-out recovery after the queue lost its jobs', () => {
  let system: RunningSystem;
  let worker: Core | null = null;

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await system?.stop();
  });

  it('finishes every position once the worker comes back', async () => {
    const created = await createBatch(system.baseUrl, { prompt: 'lost jobs', count: 6 });
    expect(created.status).toBe(200);
    const taskId = created.body.data.id as string;
    // The first window (4) was queued; wipe the queue as a Redis flush would.
    const redis = system.core.redis;
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${system.config.REDIS_PREFIX}:generation-item:*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
    expect(removed).toBeGreaterThan(0);

    worker = createCore(system.config);
    await startWorker(worker);
    const done = await waitForTask(system.baseUrl, taskId, {}, 30_000);
    expect(done).toMatchObject({ status: 'completed', completedCount: 6, totalCount: 6 });
    expect(new Set(done.images.map((image: { id: string }) => image.id)).size).toBe(6);
    const items = await system.core.nanobanana.models.TaskItem.findAll({ where: { task_id: taskId } });
    expect(items.map((item) => item.status)).toEqual(Array(6).fill('done'));
    expect(await system.core.nanobanana.models.TaskCredential.count({ where: { task_id: taskId } })).toBe(0);
  });
});
