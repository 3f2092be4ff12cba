import { setTimeout as delay } from 'node:timers/promises';
import type { DreamloomModels, GenerationTaskRow, MediaAssetRow } from '../adapters/sequelize/models.js';
import type {
  AccountPoolService,
  GenerationKind,
  RateLimitHandling,
} from '../accounts/account-pool.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import {
  ProviderError,
  isVideoProvider,
  type GeneratedAssetRef,
  type ImageProvider,
  type VideoProvider,
} from '../ports/image-provider.port.js';
import type { Logger } from '../shared/logger.js';
import type { MediaService } from '../media/media.service.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { LeaseStore } from '../ports/lease-store.port.js';
import { JobHandedBack, isHandedBack } from '../ports/job-hand-back.js';
import { TaskRowBatcher } from './task-row.batcher.js';
import { taskOutputs } from './task-outputs.js';
import { providerFailureCode } from './generation-failures.js';
import {
  GENERATION_JOB,
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
  /** Default rate_limit_handling when a task does not say. */
  rateLimitHandling: RateLimitHandling;
  queue: JobQueue;
  leases: LeaseStore;
  /** TTL of exclusive-key locks (renewed while held). */
  exclusiveTtlMs: number;
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (so waits end at once on
 * cancel). The abort listener goes with the timer: a task polling for a key every 250 ms no
 * longer adds one listener per poll to its job's signal.
 */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  }
}

/** How long a task that freed its slot lets other tasks' hand-overs go first (see generate). */
const STORE_YIELD_MS = 20;

/** Outputs a run stored: their count, and the rows when this run stored every one of them. */
interface StoredOutputs {
  count: number;
  assets: MediaAssetRow[] | null;
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

/** Refuses to start a task (e.g. superseded by a newer run of the same storyboard) with a reason. */
export type BeforeRunGuard = (task: GenerationTaskRow) => Promise<{ code: string; message: string } | null>;

/** Room for control events between processes (never joinable by clients). */
export const CONTROL_ROOM = 'control:generation';
export const TASK_CANCEL_EVENT = 'task.cancel';

/** Runs some tasks its own way (see FanOutRunner); `handles` must be cheap and side-effect free. */
export interface DelegatedTaskRunner {
  handles(task: GenerationTaskRow): boolean;
  run(task: GenerationTaskRow, signal: AbortSignal): Promise<void>;
}

export class GenerationProcessor {
  private readonly finishedListeners: TaskFinishedListener[] = [];
  private readonly runners: DelegatedTaskRunner[] = [];
  private readonly beforeRunGuards: BeforeRunGuard[] = [];
  private readonly tasks: TaskRowBatcher;

  constructor(private readonly deps: Deps) {
    this.tasks = new TaskRowBatcher({ models: deps.models, clock: deps.clock });
  }

  /** Registers a listener for finished tasks; listeners run in order and must be idempotent. */
  onFinished(listener: TaskFinishedListener): void {
    this.finishedListeners.push(listener);
  }

  private async notifyFinished(task: GenerationTaskRow): Promise<void> {
    for (const listener of this.finishedListeners) await listener(task);
  }

  /** Registers a check run before a task starts; a returned refusal cancels the task instead. */
  onBeforeRun(guard: BeforeRunGuard): void {
    this.beforeRunGuards.push(guard);
  }

  /**
   * Cancels tasks: queued ones are removed and marked cancelled here; running ones are aborted
   * by whichever worker runs them (a `task.cancel` event every worker listens to). Finished
   * tasks are left alone. Returns the ids that were still unfinished.
   */
  async cancel(taskIds: string[], reason = 'Cancelled'): Promise<string[]> {
    const tasks = await this.deps.models.GenerationTask.findAll({
      where: { id: taskIds, status: ['pending', 'processing'] },
    });
    for (const task of tasks) {
      const removed = await this.deps.queue.remove(GENERATION_JOB, task.id);
      const state = removed ? 'missing' : await this.deps.queue.state(GENERATION_JOB, task.id);
      if (removed || state === 'missing' || state === 'failed' || state === 'completed') {
        await this.fail(task, 'cancelled', 'CANCELLED', reason);
      } else {
        await this.deps.events.publish({
          room: CONTROL_ROOM,
          name: TASK_CANCEL_EVENT,
          payload: { taskId: task.id },
        });
      }
    }
    return tasks.map((task) => task.id);
  }

  /** Holds the task's exclusive key (if any) for the whole run, waiting while another task holds it. */
  private async withExclusiveKey<T>(
    task: GenerationTaskRow,
    signal: AbortSignal,
    work: () => Promise<T>,
  ): Promise<T> {
    const key = (JSON.parse(task.params) as ImageTaskParams).exclusiveKey;
    if (!key) return work();
    const slot = `exclusive:${key}`;
    const holder = task.id;
    const ttl = this.deps.exclusiveTtlMs;
    while (!(await this.deps.leases.acquire(slot, holder, 1, ttl))) {
      await pause(250, signal);
    }
    const heartbeat = setInterval(
      () => void this.deps.leases.renew(slot, holder, ttl).catch(() => undefined),
      Math.floor(ttl / 3),
    );
    heartbeat.unref();
    try {
      return await work();
    } finally {
      clearInterval(heartbeat);
      await this.deps.leases.release(slot, holder);
    }
  }

  /** Hands tasks a runner claims (e.g. fanned-out tasks) to that runner instead of the default path. */
  delegate(runner: DelegatedTaskRunner): void {
    this.runners.push(runner);
  }

  async run(taskId: string, signal: AbortSignal): Promise<void> {
    const task = await this.tasks.find(taskId);
    if (!task) return;
    if (TERMINAL_STATUSES.includes(task.status as TaskStatus)) {
      // A worker can die after ending the task but before its listeners ran (records, batches,
      // refunds); the re-delivered job replays them. Listeners are idempotent.
      await this.notifyFinished(task);
      return;
    }
    const runner = this.runners.find((each) => each.handles(task));
    if (runner) return runner.run(task, signal);
    const log = this.deps.logger.child({ taskId });
    for (const guard of this.beforeRunGuards) {
      const refusal = await guard(task);
      if (refusal) {
        await this.fail(task, 'cancelled', refusal.code, refusal.message);
        return;
      }
    }
    // Written while the task takes its exclusive key and a slot, not before: a batch's first wave
    // would otherwise queue one more write before its first provider call. Later writes of this
    // task queue behind it (the row batcher keeps a task's writes in order).
    const started = this.tasks.update(task, { status: 'processing' }, { stampStart: !task.started_at });
    started.catch(() => undefined); // awaited below; an end-state write follows it on failure anyway
    void this.progress(task, 5, 'Starting').catch(() => undefined);
    try {
      const outputs = await this.withExclusiveKey(task, signal, () => this.generate(task, signal));
      await started;
      await this.complete(task, outputs);
    } catch (error) {
      // A stopping worker gives the job back: the task stays as it is for the next worker.
      if (isHandedBack(signal)) throw new JobHandedBack();
      if (signal.aborted) {
        await this.fail(task, 'cancelled', 'CANCELLED', 'Cancelled');
        return;
      }
      if (error instanceof TaskFailure) {
        await this.fail(task, 'failed', error.code, error.message);
        return;
      }
      if (error instanceof ProviderError) {
        await this.fail(task, 'failed', providerFailureCode(error.kind), `${error.kind}: ${error.message}`);
        return;
      }
      log.error({ err: error }, 'generation crashed');
      throw error; // unexpected: let the queue record it; the reconciler retries the task later
    }
  }

  /** Runs provider calls until the task has its outputs; returns them when this run stored all of them. */
  private async generate(task: GenerationTaskRow, signal: AbortSignal): Promise<StoredOutputs | null> {
    const params = JSON.parse(task.params) as ImageTaskParams;
    const kind = task.kind === 'video' ? 'video' : 'image';
    const provider = this.deps.providers[task.provider];
    if (!provider)
      throw new TaskFailure('PROVIDER_NOT_CONFIGURED', `No provider ${task.provider} is configured`);
    if (kind === 'video' && !isVideoProvider(provider)) {
      throw new TaskFailure('PROVIDER_NOT_CONFIGURED', `Provider ${task.provider} cannot make videos`);
    }
    const call = (credential: string) =>
      kind === 'video'
        ? (provider as unknown as VideoProvider).generateVideos(
            credential,
            {
              model: task.model,
              prompt: task.prompt,
              ratio: params.ratio,
              resolution: params.resolution,
              duration: params.duration ?? 5,
              frames: params.frames,
            },
            signal,
          )
        : provider.generateImages(
            credential,
            {
              model: task.model,
              prompt: task.prompt,
              ratio: params.ratio,
              resolution: params.resolution,
              negativePrompt: params.negativePrompt,
              sampleStrength: params.sampleStrength,
              intelligentRatio: params.intelligentRatio,
              images: params.referenceImages,
            },
            signal,
          );
    // Outputs are stored only after a provider call, and every call writes `attempts` first: a task
    // that never made a call has nothing stored, and skips the count.
    let stored =
      task.attempts === 0 ? 0 : await this.deps.models.MediaAsset.count({ where: { task_id: task.id } });
    const assets: MediaAssetRow[] | null = stored === 0 ? [] : null;
    const tried: string[] = [];
    // keepAllOutputs: one successful call is the whole result, however many files it returned.
    const done = () => (params.keepAllOutputs ? stored > 0 : stored >= task.requested_count);
    while (!done()) {
      if (task.attempts >= this.deps.maxAttempts) {
        throw new TaskFailure(
          'GENERATION_FAILED',
          `Gave up after ${task.attempts} attempts: ${task.error_message ?? ''}`.trim(),
        );
      }
      const lease = await this.waitForLease(task, kind, params, tried, signal);
      // The slot is the scarce resource: bookkeeping runs beside the provider call, not before it.
      const bookkeeping = this.tasks.update(task, {
        attempts: task.attempts + 1,
        account_id: lease.accountId,
        site_switch_count: task.site_switch_count + (tried.length > 0 ? 1 : 0),
      });
      void this.progress(task, 20, 'Generating').catch(() => undefined);
      let refs: GeneratedAssetRef[];
      try {
        refs = await call(lease.secret);
      } catch (error) {
        await bookkeeping;
        if (isHandedBack(signal)) {
          // Aborted by this worker's shutdown, not by the provider: the call does not count
          // against the task's attempts, which the next worker's call will spend instead.
          await lease.release();
          await this.tasks.update(task, { attempts: task.attempts - 1 });
          throw error;
        }
        if (!(error instanceof ProviderError) || signal.aborted) {
          await lease.release();
          throw error;
        }
        // Mark the account before freeing its slot, so no waiting task takes a slot on an account just found dead.
        await this.deps.pool.reportFailure(lease.accountId, kind, error);
        await lease.release();
        await task.update({ error_message: `${error.kind}: ${error.message}`.slice(0, 1024) });
        if (!error.retryElsewhere) throw error;
        tried.push(lease.accountId);
        continue;
      }
      // A good call: the slot may go straight to the next waiting task.
      await lease.release({ handOver: true });
      await bookkeeping;
      // Slots run in step, so other tasks' calls are ending around now too: let their slots change
      // hands first, before this task's storing work takes its turns on the event loop. With no
      // task waiting for a slot (a batch's last wave) there is nothing to let go first.
      if (this.deps.pool.hasWaiters(task.provider, kind))
        await new Promise((resolve) => setTimeout(resolve, STORE_YIELD_MS));
      // Counted while the outputs are stored, not before: neither waits on the other.
      const counted = this.deps.pool.reportSuccess(lease.accountId, kind, lease.halfOpen);
      counted.catch(() => undefined); // awaited below; this only keeps an early store failure from leaving it unhandled
      const wanted = params.keepAllOutputs ? refs.length : task.requested_count;
      for (const ref of refs) {
        if (stored >= wanted) break;
        const asset = await this.deps.media.ingestTaskOutput(
          // Positions from `stored` on were counted as absent when the run began.
          { taskId: task.id, userId: task.user_id, position: stored, kind, ref, knownNew: true },
          signal,
        );
        assets?.push(asset);
        stored += 1;
        const progress = 20 + Math.round((75 * stored) / wanted);
        // The last output's count is written with the end state (one write, not two); a crash in
        // between is healed by the re-run, which counts the stored outputs.
        if (stored < wanted)
          await task.update({ completed_count: stored, progress, updated_at: this.deps.clock.now() });
        await this.progress(task, progress, `Stored ${stored}/${wanted}`);
      }
      await counted;
    }
    return { count: stored, assets };
  }

  /**
   * Waits while the pool is busy (woken as soon as this process frees a slot) or, with
   * rate_limit_handling `wait`, while accounts are cooling down or awaiting their quota reset.
   * Fails at once when no account could ever take the task, or with `skip` when none is free now.
   */
  private async waitForLease(
    task: GenerationTaskRow,
    kind: GenerationKind,
    params: ImageTaskParams,
    tried: string[],
    signal: AbortSignal,
  ) {
    const deadline = Date.now() + this.deps.leaseWaitMs;
    const handling = params.rateLimitHandling ?? this.deps.rateLimitHandling;
    const options = {
      exclude: tried,
      strategy: params.accountStrategy,
      maxConcurrentPerAccount: params.maxConcurrentPerAccount,
    };
    let announced = false;
    for (let first = true; ; first = false) {
      // Tasks already waiting are first in line: a newcomer queues behind them instead of racing
      // them for each freed slot (and reading every account's load while the pool is full).
      const queueBehind = first && handling !== 'skip' && this.deps.pool.hasWaiters(task.provider, kind);
      const lease = queueBehind ? null : await this.deps.pool.lease(task.provider, kind, options);
      if (lease) return lease;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const eligible = await this.deps.pool.countEligible(task.provider, kind, { exclude: tried });
      const recovering =
        handling === 'wait' && eligible === 0
          ? await this.deps.pool.countRecovering(task.provider, kind, this.deps.leaseWaitMs)
          : 0;
      if (eligible === 0 && recovering === 0) {
        const detail = tried.length
          ? ` (tried ${tried.length}; last error: ${task.error_message ?? 'unknown'})`
          : '';
        throw new TaskFailure('NO_ACCOUNT_AVAILABLE', `No usable ${task.provider} account${detail}`);
      }
      if (handling === 'skip')
        throw new TaskFailure('NO_ACCOUNT_AVAILABLE', `No ${task.provider} account is free right now`);
      if (Date.now() >= deadline) {
        throw new TaskFailure(
          'NO_ACCOUNT_AVAILABLE',
          `No ${task.provider} account was available within ${this.deps.leaseWaitMs} ms`,
        );
      }
      if (!announced) {
        announced = true;
        await this.progress(
          task,
          10,
          recovering ? 'Waiting for a provider account to recover' : 'Waiting for a free provider account',
        );
      }
      // The pool wakes waiters as slots free up (its own releases at once, often handing the slot
      // over; other nodes' within a poll); the task's own timer only bounds the wait for a
      // wake-up that fits it (exclusions).
      const poll = this.deps.leasePollMs ?? 500;
      const handed = await this.deps.pool.waitForSlot(
        task.provider,
        kind,
        options,
        Math.min(deadline - Date.now(), poll * 10),
        signal,
      );
      if (handed) return handed;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
    }
  }

  /**
   * Ends a task whose provider finished it outside `run` (an asynchronous provider reporting by
   * webhook or a later status check): the same events and finished-listeners as a normal end.
   */
  async completeExternally(task: GenerationTaskRow): Promise<void> {
    await this.complete(task, null);
  }

  async failExternally(
    task: GenerationTaskRow,
    status: 'failed' | 'cancelled',
    code: string,
    message: string,
  ): Promise<void> {
    await this.fail(task, status, code, message);
  }

  /** `outputs`: what `generate` stored, when known (saves reading them back). */
  private async complete(task: GenerationTaskRow, outputs: StoredOutputs | null): Promise<void> {
    await this.tasks.update(
      task,
      {
        status: 'completed',
        progress: 100,
        ...(outputs ? { completed_count: outputs.count } : {}),
        error_code: null,
        error_message: null,
      },
      { stampFinish: true },
    );
    const assets =
      outputs?.assets ??
      (await this.deps.models.MediaAsset.findAll({
        where: { task_id: task.id },
        order: [['position', 'ASC']],
      }));
    const payload: TaskCompletedEvent = {
      taskId: task.id,
      status: 'completed',
      outputs: taskOutputs(this.deps.media, assets),
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
    await this.tasks.update(
      task,
      { status, error_code: code, error_message: message.slice(0, 1024) },
      { stampFinish: true },
    );
    const payload: TaskFailedEvent = { taskId: task.id, status, error: { code, message } };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.failed, payload });
    await this.notifyFinished(task);
  }

  /**
   * Publishes progress. The row's `progress` is written only with other changes (stored outputs,
   * the end state): a write per step would cost a busy database more than the event is worth.
   */
  private async progress(task: GenerationTaskRow, progress: number, message: string): Promise<void> {
    task.progress = progress;
    const payload: TaskProgressEvent = { taskId: task.id, status: 'processing', progress, message };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.progress, payload });
  }
}
