import type { MediaService } from '../../media/media.service.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import { ProviderError } from '../../ports/image-provider.port.js';
import type { JobQueue } from '../../ports/job-queue.port.js';
import type { Logger } from '../../shared/logger.js';
import {
  FanOutEvents,
  GENERATION_ITEM_JOB,
  itemJobId,
  type FanOutFinalStatus,
  type FanOutFinishedEvent,
  type GenerationItemJobPayload,
  type TaskOutputStoredEvent,
} from '../fan-out.types.js';
import { TaskEvents, taskRoom, type TaskProgressEvent } from '../generation.types.js';
import { taskOutputs } from '../task-outputs.js';
import type { FanOutItemRepository, GenerationTaskRecord, GenerationTaskRepository } from './repositories.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { FanOutStrategy } from './strategy.js';

interface Deps {
  tasks: GenerationTaskRepository;
  items: FanOutItemRepository;
  queue: JobQueue;
  events: EventBus;
  media: Pick<MediaService, 'ingestTaskOutput' | 'view'>;
  clock: Clock;
  logger: Logger;
  /** The fan-out strategy that runs this task (null when none claims it any more). */
  strategyOf(task: GenerationTaskRecord): FanOutStrategy | null;
}

/** What a use case needs to put a fanned-out task on the engine (contract 004's submit). */
export interface FanOutSubmission {
  /** Seals a caller-supplied credential for the task (the strategy's pool lease is skipped). */
  storeCredential(taskId: string, credential: string, transaction?: TransactionHandle): Promise<void>;
  /** Writes one pending item per output position (call before `submit`). */
  createItems(taskId: string, count: number, transaction?: TransactionHandle): Promise<void>;
  /** Queues the first window of positions (see FanOutRuns.submit). */
  submit(task: GenerationTaskRecord): Promise<{ submitted: number; error: string | null }>;
}

const ACTIVE = ['queued', 'running'] as const;
const UNFINISHED_TASK = ['pending', 'processing'] as const;

/**
 * The engine's fan-out shape: each output position is its own queue job (`generation-item`, id
 * `<taskId>.<position>`), at most the strategy's concurrency of them in flight per task. A
 * finishing position hands its slot to the next pending one, so the bound holds without a lock;
 * the last one to finish settles the task as completed, partial or failed (one conditional update
 * wins). The task's own `generation` job (queued by the reconciler when the database says the task
 * is unfinished) lands in {@link reconcile}, which re-queues lost positions.
 */
export class FanOutRuns {
  constructor(private readonly deps: Deps) {}

  /** Writes one pending item per output position (call before `submit`). */
  async createItems(taskId: string, count: number, transaction?: TransactionHandle): Promise<void> {
    await this.deps.items.create(taskId, count, this.deps.clock.now(), transaction);
  }

  /**
   * Queues the first window of positions. When the queue fails part-way, the positions that made
   * it stay and the rest are dropped: the task's total shrinks to what was submitted (contract
   * 004's partial submission). Returns how many positions the task now has.
   */
  async submit(task: GenerationTaskRecord): Promise<{ submitted: number; error: string | null }> {
    const strategy = this.deps.strategyOf(task);
    const window = Math.min(strategy?.concurrency(task) ?? 1, task.requested_count);
    let queued = 0;
    let failure: unknown = null;
    for (let position = 0; position < window; position += 1) {
      try {
        await this.claimAndEnqueue(task.id, position);
        queued += 1;
      } catch (error) {
        failure = error;
        break;
      }
    }
    if (!failure) return { submitted: task.requested_count, error: null };
    const reason = failure instanceof Error ? failure.message : String(failure);
    this.deps.logger.warn({ taskId: task.id, queued, err: reason }, 'fan-out submission failed part-way');
    await this.deps.items.dropFrom(task.id, queued);
    await this.deps.tasks.write(task, {
      requested_count: queued,
      status: queued === 0 ? 'failed' : task.status,
      error_code: queued === 0 ? 'SUBMIT_FAILED' : null,
      error_message: `仅提交成功 ${queued}/${task.requested_count} 个子任务: ${reason}`.slice(0, 1024),
      finished_at: queued === 0 ? this.deps.clock.now() : null,
      updated_at: this.deps.clock.now(),
    });
    if (queued === 0) await strategy?.release(task.id);
    return { submitted: queued, error: task.error_message ?? reason };
  }

  private async claimAndEnqueue(taskId: string, position: number): Promise<boolean> {
    const claimed = await this.deps.items.move(taskId, position, ['pending'], {
      status: 'queued',
      updated_at: this.deps.clock.now(),
    });
    if (!claimed) return false;
    try {
      await this.enqueueItem(taskId, position);
    } catch (error) {
      await this.deps.items.move(taskId, position, ['queued'], { status: 'pending' });
      throw error;
    }
    return true;
  }

  private enqueueItem(taskId: string, position: number): Promise<void> {
    return this.deps.queue.enqueue<GenerationItemJobPayload>(
      GENERATION_ITEM_JOB,
      { taskId, position },
      { jobId: itemJobId(taskId, position) },
    );
  }

  /**
   * The task-level job: re-queues positions whose job the queue lost, fills free slots, and
   * settles the task when nothing is left. Safe to run any number of times.
   */
  async reconcile(task: GenerationTaskRecord, strategy: FanOutStrategy): Promise<void> {
    const items = await this.deps.items.list(task.id);
    let active = 0;
    for (const item of items.filter((each) => (ACTIVE as readonly string[]).includes(each.status))) {
      const jobId = itemJobId(task.id, item.position);
      const state = await this.deps.queue.state(GENERATION_ITEM_JOB, jobId);
      if (state === 'missing' || state === 'failed' || state === 'completed') {
        const requeued = await this.deps.items.move(task.id, item.position, ACTIVE, {
          status: 'queued',
          updated_at: this.deps.clock.now(),
        });
        if (!requeued) continue; // it finished meanwhile
        if (state !== 'missing') await this.deps.queue.remove(GENERATION_ITEM_JOB, jobId);
        await this.enqueueItem(task.id, item.position);
      }
      active += 1;
    }
    await this.fill(task.id, strategy.concurrency(task) - active);
    await this.settleIfDone(task.id);
  }

  /** Claims up to `slots` pending positions and queues them. */
  private async fill(taskId: string, slots: number): Promise<void> {
    if (slots <= 0) return;
    const pending = await this.deps.items.pending(taskId, slots + 4);
    for (const item of pending) {
      if (slots <= 0) break;
      if (await this.claimAndEnqueue(taskId, item.position)) slots -= 1;
    }
  }

  /** One output position: generate, store, count, then hand the slot on. Idempotent. */
  async runItem(taskId: string, position: number, signal: AbortSignal): Promise<void> {
    const { tasks, items, clock } = this.deps;
    const task = await tasks.find(taskId);
    if (!task || !(UNFINISHED_TASK as readonly string[]).includes(task.status)) return;
    const strategy = this.deps.strategyOf(task);
    const item = await items.find(taskId, position);
    if (!strategy || !item || item.status === 'done' || item.status === 'failed') {
      await this.settleIfDone(taskId);
      return;
    }
    if (task.status === 'pending') {
      const now = clock.now();
      await tasks.updateWhileIn(taskId, ['pending'], {
        status: 'processing',
        started_at: now,
        updated_at: now,
      });
    }
    await items.write(item, { status: 'running', attempts: item.attempts + 1, updated_at: clock.now() });
    try {
      const ref = await strategy.generateOne(task, signal);
      const asset = await this.deps.media.ingestTaskOutput(
        { taskId, userId: task.user_id, position, kind: 'image', ref },
        signal,
      );
      // Only the run that flips the item to done counts it, so a redelivered job never double-counts.
      // Single conditional statements, no transaction: SQLite then never holds a write lock across
      // round trips while other positions of the task finish.
      const marked = await items.move(taskId, position, 'not-done', {
        status: 'done',
        error_message: null,
        updated_at: clock.now(),
      });
      if (marked) await tasks.incrementCompleted(taskId);
      await tasks.updateById(taskId, { updated_at: clock.now() });
      const completedCount = (await tasks.completedCount(taskId)) ?? 0;
      const event: TaskOutputStoredEvent = {
        taskId,
        completedCount,
        totalCount: task.requested_count,
        output: {
          id: asset.id,
          position,
          storageKey: asset.storage_key,
          thumbnailKey: asset.thumbnail_key,
          mime: asset.mime,
          width: asset.width,
          height: asset.height,
          sizeBytes: asset.size_bytes,
          createdAt: new Date(asset.created_at).toISOString(),
        },
      };
      await this.deps.events.publish({ room: taskRoom(taskId), name: FanOutEvents.output, payload: event });
      await this.publishProgress(taskId, completedCount, task.requested_count);
    } catch (error) {
      if (signal.aborted) throw error;
      if (!(await tasks.exists(taskId))) return; // deleted meanwhile
      // Shown to the caller as the task's errorMessage: the failure class in a few words, never a
      // provider's text, which may quote what a server answered. The provider's text goes to the
      // log for staff.
      const message = strategy.failureText(error).slice(0, 1024);
      if (error instanceof ProviderError)
        this.deps.logger.warn(
          { taskId, position, kind: error.kind, err: error.message },
          'fan-out item failed',
        );
      else
        this.deps.logger.error(
          { taskId, position, err: error instanceof Error ? error.message : String(error) },
          'fan-out item crashed',
        );
      await items.move(taskId, position, 'not-done', {
        status: 'failed',
        error_message: message,
        updated_at: clock.now(),
      });
      // e.g. a caller's own key that is dead or out of quota fails every other position the same
      // way: settle the ones not started yet instead of spending N calls to learn it N times.
      if (await strategy.failsTheRest(taskId, error)) await items.failPending(taskId, message, clock.now());
    }
    // Hand this slot to the next pending position, then see whether the task is done.
    await this.fill(taskId, 1);
    await this.settleIfDone(taskId);
  }

  private async publishProgress(taskId: string, completed: number, total: number): Promise<void> {
    const progress = Math.min(99, Math.round((100 * completed) / Math.max(total, 1)));
    await this.deps.tasks.updateById(taskId, { progress });
    const payload: TaskProgressEvent = {
      taskId,
      status: 'processing',
      progress,
      message: `已完成 ${completed}/${total}`,
    };
    await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.progress, payload });
  }

  /** Settles the task once every position is done or failed; exactly one caller wins. */
  async settleIfDone(taskId: string): Promise<void> {
    const { tasks } = this.deps;
    const items = await this.deps.items.list(taskId);
    if (items.length === 0 || items.some((item) => !['done', 'failed'].includes(item.status))) return;
    const task = await tasks.find(taskId);
    if (!task || !(UNFINISHED_TASK as readonly string[]).includes(task.status)) return;
    const done = items.filter((item) => item.status === 'done').length;
    const failed = items.length - done;
    const status: FanOutFinalStatus = failed === 0 ? 'completed' : done === 0 ? 'failed' : 'partial';
    const firstError = items.find((item) => item.status === 'failed')?.error_message ?? 'unknown';
    const errorMessage = failed ? `${failed}/${items.length} 张生成失败: ${firstError}`.slice(0, 1024) : null;
    const now = this.deps.clock.now();
    // Every position is done or failed, so what the task held (a caller's key) is no longer needed:
    // it goes before the task shows as ended, so whoever sees the end also sees it gone.
    await this.deps.strategyOf(task)?.release(taskId);
    const settled = await tasks.updateWhileIn(taskId, UNFINISHED_TASK, {
      status,
      progress: 100,
      error_code: status === 'completed' ? null : status === 'failed' ? 'GENERATION_FAILED' : 'PARTIAL',
      error_message: errorMessage,
      finished_at: now,
      updated_at: now,
    });
    if (!settled) return;
    const payload: FanOutFinishedEvent = {
      taskId,
      status,
      completedCount: (await tasks.completedCount(taskId)) ?? done,
      failedCount: failed,
      totalCount: items.length,
      errorMessage,
    };
    if (status === 'failed') {
      payload.error = { code: 'GENERATION_FAILED', message: errorMessage ?? 'failed' };
      await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.failed, payload });
    } else {
      payload.outputs = taskOutputs(this.deps.media, await tasks.outputs(taskId));
      await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.completed, payload });
    }
  }
}
