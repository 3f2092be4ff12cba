import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { AccountPoolService } from '../accounts/account-pool.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import { ProviderError, type GeneratedAssetRef, type ImageProvider } from '../ports/image-provider.port.js';
import type { Logger } from '../shared/logger.js';
import type { MediaService } from '../media/media.service.js';
import {
  TaskEvents,
  TERMINAL_STATUSES,
  taskRoom,
  type ImageTaskParams,
  type TaskCompletedEvent,
  type TaskFailedEvent,
  type TaskProgressEvent,
  type TaskStatus,
} from './generation.types.js';

interface Deps {
  models: DreamloomModels;
  pool: AccountPoolService;
  /** Image providers by the task's `provider` column (jimeng, gemini, …). */
  providers: Record<string, ImageProvider>;
  media: MediaService;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** How many provider calls (across accounts) one task may make before it fails. */
  maxAttempts: number;
  /** How long a task waits for a busy pool before giving up. */
  leaseWaitMs: number;
  leasePollMs?: number;
}

class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs one generation task to an end state. Idempotent: a task already finished is left alone,
 * and outputs already stored (by a crashed earlier run) are kept, so re-delivery is harmless.
 */
/** Called after a task reached an end state (batches, credits and callbacks hang off this). */
export type TaskFinishedListener = (task: GenerationTaskRow) => Promise<void>;

export class GenerationProcessor {
  private readonly finishedListeners: TaskFinishedListener[] = [];

  constructor(private readonly deps: Deps) {}

  /** Registers a listener for finished tasks; listeners run in order and must be idempotent. */
  onFinished(listener: TaskFinishedListener): void {
    this.finishedListeners.push(listener);
  }

  private async notifyFinished(task: GenerationTaskRow): Promise<void> {
    for (const listener of this.finishedListeners) await listener(task);
  }

  async run(taskId: string, signal: AbortSignal): Promise<void> {
    const task = await this.deps.models.GenerationTask.findByPk(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) return;
    const log = this.deps.logger.child({ taskId });
    await task.update({
      status: 'processing',
      started_at: task.started_at ?? this.deps.clock.now(),
      updated_at: this.deps.clock.now(),
    });
    await this.progress(task, 5, 'Starting');
    try {
      await this.generate(task, signal);
      await this.complete(task);
    } catch (error) {
      if (signal.aborted) {
        await this.fail(task, 'cancelled', 'CANCELLED', 'Cancelled');
        return;
      }
      if (error instanceof TaskFailure) {
        await this.fail(task, 'failed', error.code, error.message);
        return;
      }
      if (error instanceof ProviderError) {
        await this.fail(task, 'failed', `PROVIDER_${error.kind.toUpperCase()}`, error.message);
        return;
      }
      log.error({ err: error }, 'generation crashed');
      throw error; // unexpected: let the queue record it; the reconciler retries the task later
    }
  }

  private async generate(task: GenerationTaskRow, signal: AbortSignal): Promise<void> {
    const params = JSON.parse(task.params) as ImageTaskParams;
    const request = {
      model: task.model,
      prompt: task.prompt,
      ratio: params.ratio,
      resolution: params.resolution,
      negativePrompt: params.negativePrompt,
      sampleStrength: params.sampleStrength,
      intelligentRatio: params.intelligentRatio,
      images: params.referenceImages,
    };
    const provider = this.deps.providers[task.provider];
    if (!provider)
      throw new TaskFailure('PROVIDER_NOT_CONFIGURED', `No provider ${task.provider} is configured`);
    let stored = await this.deps.models.MediaAsset.count({ where: { task_id: task.id } });
    const tried: string[] = [];
    while (stored < task.requested_count) {
      if (task.attempts >= this.deps.maxAttempts) {
        throw new TaskFailure('GENERATION_FAILED', `Gave up after ${task.attempts} attempts`);
      }
      const lease = await this.waitForLease(task, tried, signal);
      await task.update({
        attempts: task.attempts + 1,
        account_id: lease.accountId,
        site_switch_count: task.site_switch_count + (tried.length > 0 ? 1 : 0),
        updated_at: this.deps.clock.now(),
      });
      await this.progress(task, 20, 'Generating');
      let refs: GeneratedAssetRef[];
      try {
        refs = await provider.generateImages(lease.secret, request, signal);
        await this.deps.pool.reportSuccess(lease.accountId, 'image');
      } catch (error) {
        if (!(error instanceof ProviderError) || signal.aborted) throw error;
        await this.deps.pool.reportFailure(lease.accountId, 'image', error);
        if (!error.retryElsewhere) throw error;
        tried.push(lease.accountId);
        await task.update({ error_message: `${error.kind}: ${error.message}`.slice(0, 1024) });
        continue;
      } finally {
        await lease.release();
      }
      for (const ref of refs) {
        if (stored >= task.requested_count) break;
        await this.deps.media.ingestTaskOutput(
          { taskId: task.id, userId: task.user_id, position: stored, kind: 'image', ref },
          signal,
        );
        stored += 1;
        await task.update({ completed_count: stored, updated_at: this.deps.clock.now() });
        await this.progress(
          task,
          20 + Math.round((75 * stored) / task.requested_count),
          `Stored ${stored}/${task.requested_count}`,
        );
      }
    }
  }

  /** Waits while the pool is merely busy; fails at once when no account could ever take the task. */
  private async waitForLease(task: GenerationTaskRow, tried: string[], signal: AbortSignal) {
    const deadline = Date.now() + this.deps.leaseWaitMs;
    let announced = false;
    for (;;) {
      const lease = await this.deps.pool.lease(task.provider, 'image', { exclude: tried });
      if (lease) return lease;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if ((await this.deps.pool.countEligible(task.provider, 'image', { exclude: tried })) === 0) {
        const detail = tried.length
          ? ` (tried ${tried.length}; last error: ${task.error_message ?? 'unknown'})`
          : '';
        throw new TaskFailure('NO_ACCOUNT_AVAILABLE', `No usable ${task.provider} account${detail}`);
      }
      if (Date.now() >= deadline) {
        throw new TaskFailure(
          'NO_ACCOUNT_AVAILABLE',
          `No ${task.provider} account was available within ${this.deps.leaseWaitMs} ms`,
        );
      }
      if (!announced) {
        announced = true;
        await this.progress(task, 10, 'Waiting for a free provider account');
      }
      await new Promise((resolve) => setTimeout(resolve, this.deps.leasePollMs ?? 500));
    }
  }

  private async complete(task: GenerationTaskRow): Promise<void> {
    const now = this.deps.clock.now();
    await task.update({
      status: 'completed',
      progress: 100,
      finished_at: now,
      updated_at: now,
      error_code: null,
      error_message: null,
    });
    const assets = await this.deps.models.MediaAsset.findAll({
      where: { task_id: task.id },
      order: [['position', 'ASC']],
    });
    const payload: TaskCompletedEvent = {
      taskId: task.id,
      status: 'completed',
      outputs: assets.map((asset) => {
        const view = this.deps.media.view(asset);
        return {
          url: view.url,
          thumbnailUrl: view.thumbnailUrl,
          width: view.width,
          height: view.height,
          mime: view.mime,
        };
      }),
    };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.completed, payload });
    await this.notifyFinished(task);
  }

  private async fail(
    task: GenerationTaskRow,
    status: 'failed' | 'cancelled',
    code: string,
    message: string,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await task.update({
      status,
      error_code: code,
      error_message: message.slice(0, 1024),
      finished_at: now,
      updated_at: now,
    });
    const payload: TaskFailedEvent = { taskId: task.id, status, error: { code, message } };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.failed, payload });
    await this.notifyFinished(task);
  }

  private async progress(task: GenerationTaskRow, progress: number, message: string): Promise<void> {
    await task.update({ progress });
    const payload: TaskProgressEvent = { taskId: task.id, status: 'processing', progress, message };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.progress, payload });
  }
}
