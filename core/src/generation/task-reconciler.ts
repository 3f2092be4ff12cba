import type { JobQueue } from '../ports/job-queue.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../shared/logger.js';
import type { GenerationService } from './generation.service.js';
import { GENERATION_JOB } from './generation.types.js';

/**
 * The database is the source of truth: a task it calls pending/processing whose job the queue
 * no longer has (Redis restart, flush, a job that failed unexpectedly) is queued again.
 * Re-queueing is safe because the processor is idempotent and job ids deduplicate.
 */
export class TaskReconciler {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      generation: GenerationService;
      queue: JobQueue;
      clock: Clock;
      logger: Logger;
      graceMs: number;
    },
  ) {}

  async reconcileOnce(): Promise<number> {
    const olderThan = new Date(this.deps.clock.now().getTime() - this.deps.graceMs);
    let requeued = 0;
    for (const task of await this.deps.generation.unfinishedTasks(olderThan)) {
      const state = await this.deps.queue.state(GENERATION_JOB, task.id);
      if (state === 'missing' || state === 'failed' || state === 'completed') {
        if (state !== 'missing') await this.deps.queue.remove(GENERATION_JOB, task.id);
        await this.deps.generation.enqueue(task);
        requeued += 1;
      }
    }
    if (requeued > 0) this.deps.logger.info({ requeued }, 'reconciler re-queued lost tasks');
    return requeued;
  }

  start(intervalMs: number): void {
    const tick = () =>
      this.reconcileOnce()
        .catch((error) => this.deps.logger.error({ err: error }, 'reconcile failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
