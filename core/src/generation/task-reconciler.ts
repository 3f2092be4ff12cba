import type { JobQueue } from '../ports/job-queue.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../shared/logger.js';
import type { GenerationService } from './generation.service.js';
import { GENERATION_JOB } from './generation.types.js';

/**
 * Tasks one pass after a Redis loss looks at (oldest first). A regular pass looks at the oldest
 * 500, most of them normally queued; after a loss every unfinished task lost its job at once, and
 * a queue of thousands must not wait for the oldest to finish before the rest are queued again.
 */
const LOSS_PASS_LIMIT = 20_000;

/**
 * The database is the source of truth: a task it calls pending/processing whose job the queue
 * no longer has (Redis restart, flush, a job that failed unexpectedly) is queued again.
 * Re-queueing is safe because the engine is idempotent and job ids deduplicate.
 */
export class TaskReconciler {
  private timer: NodeJS.Timeout | null = null;
  /** The pass running now, if any; a pass asked for meanwhile runs once it ends. */
  private running: Promise<unknown> | null = null;
  private lossPassWanted = false;

  constructor(
    private readonly deps: {
      generation: GenerationService;
      queue: JobQueue;
      clock: Clock;
      logger: Logger;
      graceMs: number;
    },
  ) {}

  /**
   * One pass over tasks unchanged for `graceMs` (default RECONCILE_GRACE_MS): younger ones may be
   * between their commit and their enqueue. Re-queueing one of those anyway costs nothing (the
   * job id deduplicates), so a pass after a Redis loss, when nothing younger is queued either,
   * uses no grace at all.
   */
  async reconcileOnce(graceMs = this.deps.graceMs, limit?: number): Promise<number> {
    const olderThan = new Date(this.deps.clock.now().getTime() - graceMs);
    let requeued = 0;
    for (const task of await this.deps.generation.unfinishedTasks(olderThan, limit)) {
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
      this.exclusively(() => this.reconcileOnce()).finally(() => {
        if (this.timer) this.timer = setTimeout(tick, intervalMs);
      });
    this.timer = setTimeout(tick, 0);
  }

  /**
   * Redis lost its data (see RedisLossWatch): every queued job is gone, so every unfinished task
   * is queued again, however young, rather than at the next regular pass. The pass waits
   * `settleMs` first, for the live workers to write down again which jobs they are running (the
   * queue then answers "active" for those, and they are not queued twice). Passes never overlap:
   * asked for during a pass, it runs right after that one.
   */
  afterRedisLoss(settleMs: number): void {
    if (!this.timer || this.lossPassWanted) return;
    this.lossPassWanted = true;
    setTimeout(
      () =>
        void this.exclusively(() => {
          this.lossPassWanted = false;
          return this.timer ? this.reconcileOnce(0, LOSS_PASS_LIMIT) : Promise.resolve(0);
        }),
      settleMs,
    ).unref();
  }

  private async exclusively(pass: () => Promise<number>): Promise<void> {
    while (this.running) await this.running;
    const current = pass().catch((error) => this.deps.logger.error({ err: error }, 'reconcile failed'));
    this.running = current;
    await current.finally(() => {
      if (this.running === current) this.running = null;
    });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
