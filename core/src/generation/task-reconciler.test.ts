import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { GenerationTaskRecord } from './engine/repositories.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { GenerationService } from './generation.service.js';
import { TaskReconciler } from './task-reconciler.js';

const NOW = new Date('2026-12-07T10:00:00Z');

/**
 * A database of `count` unfinished tasks, one updated every second up to now (the newest a
 * millisecond ago), whose jobs the queue lost; enqueue records what was queued again.
 */
function lostTasks(count: number) {
  const tasks = Array.from({ length: count }, (_, index) => ({
    id: `task-${index}`,
    updated_at: new Date(NOW.getTime() - 1 - (count - 1 - index) * 1000),
  }));
  const requeued: string[] = [];
  const generation = {
    async unfinishedTasks(olderThan: Date, limit = 500) {
      return tasks.filter((task) => task.updated_at < olderThan).slice(0, limit);
    },
    async enqueue(task: { id: string }) {
      requeued.push(task.id);
    },
  } as unknown as GenerationService;
  const queue = {
    state: async () => 'missing',
    remove: async () => false,
  } as unknown as JobQueue;
  const reconciler = new TaskReconciler({
    generation,
    queue,
    clock: { now: () => NOW },
    logger: pino({ level: 'silent' }),
    graceMs: 10_000,
  });
  return { reconciler, requeued, tasks: tasks as unknown as GenerationTaskRecord[] };
}

describe('TaskReconciler', () => {
  it('a regular pass skips tasks younger than the grace and looks at the oldest 500', async () => {
    const { reconciler, requeued } = lostTasks(600);
    expect(await reconciler.reconcileOnce()).toBe(500);
    expect(requeued).toContain('task-0');
    expect(requeued).not.toContain('task-599');
  });

  it('after a Redis loss: waits the settle time, then queues every unfinished task again, however young', async () => {
    const { reconciler, requeued } = lostTasks(600);
    // The regular timer's first pass (at start) is done before the loss.
    reconciler.start(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    requeued.length = 0;

    reconciler.afterRedisLoss(200);
    reconciler.afterRedisLoss(200); // a second notice while one pass is pending: still one pass
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requeued).toEqual([]);
    const deadline = Date.now() + 5_000;
    while (requeued.length < 600 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    reconciler.stop();
    expect(requeued).toHaveLength(600);
    expect(new Set(requeued).size).toBe(600);
    expect(requeued).toContain('task-599'); // updated just now
  });

  it('does nothing after a loss once stopped', async () => {
    const { reconciler, requeued } = lostTasks(3);
    reconciler.afterRedisLoss(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requeued).toEqual([]);
  });
});
