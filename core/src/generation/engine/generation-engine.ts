import { setTimeout as delay } from 'node:timers/promises';
import type { MediaService } from '../../media/media.service.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import { ProviderError } from '../../ports/image-provider.port.js';
import type { JobQueue } from '../../ports/job-queue.port.js';
import type { LeaseStore } from '../../ports/lease-store.port.js';
import { JobHandedBack, isHandedBack } from '../../ports/job-hand-back.js';
import type { Logger } from '../../shared/logger.js';
import { providerFailureCode } from '../generation-failures.js';
import { taskOutputs } from '../task-outputs.js';
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
} from '../generation.types.js';
import { AsyncRuns, type UpstreamCancelOutcome } from './async-runs.js';
import { FanOutRuns } from './fan-out-runs.js';
import type {
  FanOutItemRepository,
  GenerationTaskRecord,
  GenerationTaskRepository,
  ProviderJobRepository,
} from './repositories.js';
import {
  TaskFailure,
  type FanOutStrategy,
  type GenerationStrategy,
  type StoredOutputs,
  type SyncRun,
  type SyncStrategy,
  type TaskSettlement,
} from './strategy.js';

export interface GenerationEngineDeps {
  tasks: GenerationTaskRepository;
  items: FanOutItemRepository;
  providerJobs: ProviderJobRepository;
  media: Pick<MediaService, 'ingestTaskOutput' | 'view'>;
  queue: JobQueue;
  events: EventBus;
  leases: LeaseStore;
  clock: Clock;
  logger: Logger;
  /** TTL of exclusive-key locks (renewed while held). */
  exclusiveTtlMs: number;
  /** Runs every task no registered strategy claims (Jimeng on pool accounts). */
  fallback: SyncStrategy;
}

/** Called after a task reached an end state (batches, credits and callbacks hang off this). */
export type TaskFinishedListener = (task: GenerationTaskRecord) => Promise<void>;

/** Refuses to start a task (e.g. superseded by a newer run of the same storyboard) with a reason. */
export type BeforeRunGuard = (
  task: GenerationTaskRecord,
) => Promise<{ code: string; message: string } | null>;

/** Room for control events between processes (never joinable by clients). */
export const CONTROL_ROOM = 'control:generation';
export const TASK_CANCEL_EVENT = 'task.cancel';

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (so waits end at once on
 * cancel). The abort listener goes with the timer: a task polling for a key every 250 ms does not
 * add one listener per poll to its job's signal.
 */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  }
}

/**
 * The one generation engine: runs every task to an end state, whichever provider makes it. Its
 * jobs are `generation` ({@link run}), `generation-item` ({@link runItem}, fan-out positions) and
 * `provider-poll` ({@link poll}, asynchronous providers); provider callbacks arrive through
 * {@link callback}. Strategies (strategy.ts) plug providers in; the first registered strategy whose
 * `handles` is true runs a task, else the fallback (Jimeng).
 *
 * Idempotent: a task already finished is left alone (its finished hooks replayed), and outputs a
 * crashed earlier run stored are kept, so re-delivery is harmless.
 */
export class GenerationEngine implements TaskSettlement {
  private readonly strategies: GenerationStrategy[] = [];
  private readonly finishedListeners: TaskFinishedListener[] = [];
  private readonly beforeRunGuards: BeforeRunGuard[] = [];
  /** Fan-out positions: sub-jobs, their window and the task's settlement. */
  readonly fanOut: FanOutRuns;
  /** Asynchronous providers' upstream tasks: status checks, callbacks, final cancels. */
  private readonly upstream: AsyncRuns;

  constructor(private readonly deps: GenerationEngineDeps) {
    this.fanOut = new FanOutRuns({
      tasks: deps.tasks,
      items: deps.items,
      queue: deps.queue,
      events: deps.events,
      media: deps.media,
      clock: deps.clock,
      logger: deps.logger,
      strategyOf: (task) => this.fanOutStrategy(task),
    });
    this.upstream = new AsyncRuns({
      tasks: deps.tasks,
      jobs: deps.providerJobs,
      queue: deps.queue,
      events: deps.events,
      media: deps.media,
      clock: deps.clock,
      logger: deps.logger,
      settle: this,
    });
  }

  /** Plugs a provider in; strategies are asked in the order they were registered. */
  use(strategy: GenerationStrategy): void {
    this.strategies.push(strategy);
    if (strategy.shape === 'async') this.upstream.register(strategy);
  }

  /** Registers a listener for finished tasks; listeners run in order and must be idempotent. */
  onFinished(listener: TaskFinishedListener): void {
    this.finishedListeners.push(listener);
  }

  /** Registers a check run before a task starts; a returned refusal cancels the task instead. */
  onBeforeRun(guard: BeforeRunGuard): void {
    this.beforeRunGuards.push(guard);
  }

  private strategyFor(task: GenerationTaskRecord): GenerationStrategy {
    return this.strategies.find((each) => each.handles(task)) ?? this.deps.fallback;
  }

  private fanOutStrategy(task: GenerationTaskRecord): FanOutStrategy | null {
    const strategy = this.strategyFor(task);
    return strategy.shape === 'fan-out' ? strategy : null;
  }

  /** The `generation` job: runs (or resumes, or re-checks) one task. */
  async run(taskId: string, signal: AbortSignal): Promise<void> {
    const task = await this.deps.tasks.find(taskId);
    if (!task) return;
    if (TERMINAL_STATUSES.includes(task.status as TaskStatus)) {
      // A worker can die after ending the task but before its listeners ran (records, batches,
      // refunds); the re-delivered job replays them. Listeners are idempotent.
      await this.finished(task);
      return;
    }
    for (const guard of this.beforeRunGuards) {
      const refusal = await guard(task);
      if (refusal) {
        await this.fail(task, 'cancelled', refusal.code, refusal.message);
        return;
      }
    }
    const strategy = this.strategyFor(task);
    if (strategy.shape === 'fan-out') return this.fanOut.reconcile(task, strategy);
    try {
      if (strategy.shape === 'async') await this.upstream.start(task, strategy, signal);
      else await this.runSync(task, strategy, signal);
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
      this.deps.logger.error({ taskId, err: error }, 'generation crashed');
      throw error; // unexpected: let the queue record it; the reconciler retries the task later
    }
  }

  /** A synchronous task: processing, the strategy's calls (under the task's exclusive key), completion. */
  private async runSync(task: GenerationTaskRecord, strategy: SyncStrategy, signal: AbortSignal) {
    // Written while the task takes its exclusive key and a slot, not before: a batch's first wave
    // would otherwise queue one more write before its first provider call. Later writes of this
    // task queue behind it (the repository keeps a task's writes in order).
    const started = this.deps.tasks.update(task, { status: 'processing' }, { stampStart: !task.started_at });
    started.catch(() => undefined); // awaited below; an end-state write follows it on failure anyway
    if (strategy.startProgress) {
      const { progress, message } = strategy.startProgress;
      void this.progress(task, progress, message).catch(() => undefined);
    }
    const outputs = await this.withExclusiveKey(task, signal, () =>
      strategy.generate(this.syncRun(task, signal)),
    );
    await started;
    await this.complete(task, outputs);
  }

  private syncRun(task: GenerationTaskRecord, signal: AbortSignal): SyncRun {
    const { tasks, media } = this.deps;
    return {
      task,
      signal,
      progress: (progress, message) => this.progress(task, progress, message),
      update: (values) => tasks.update(task, values),
      write: (values) => tasks.write(task, values),
      countOutputs: () => tasks.countOutputs(task.id),
      store: (ref, position, kind) =>
        media.ingestTaskOutput(
          // Positions from the stored count on were counted as absent by the strategy.
          { taskId: task.id, userId: task.user_id, position, kind, ref, knownNew: true },
          signal,
        ),
    };
  }

  /** Holds the task's exclusive key (if any) for the whole run, waiting while another task holds it. */
  private async withExclusiveKey<T>(
    task: GenerationTaskRecord,
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

  /** The `generation-item` job: one output position of a fanned-out task. */
  runItem(taskId: string, position: number, signal: AbortSignal): Promise<void> {
    return this.fanOut.runItem(taskId, position, signal);
  }

  /** The `provider-poll` job: one delayed status check of an asynchronous provider's task. */
  poll(taskId: string, signal?: AbortSignal): Promise<void> {
    return this.upstream.poll(taskId, signal);
  }

  /** An asynchronous provider's callback (the unified webhook). Unknown tasks change nothing. */
  callback(
    provider: string,
    body: unknown,
    headers: { signature?: string; timestamp?: string },
  ): Promise<{ known: boolean; finished: boolean }> {
    return this.upstream.callback(provider, body, headers);
  }

  /**
   * Cancels tasks: queued ones are removed and marked cancelled here; running ones are aborted
   * by whichever worker runs them (a `task.cancel` event every worker listens to). Finished
   * tasks are left alone. Returns the ids that were still unfinished.
   */
  async cancel(taskIds: string[], reason = 'Cancelled'): Promise<string[]> {
    const tasks = await this.deps.tasks.findUnfinished(taskIds);
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

  /**
   * Makes a member's cancel of an asynchronous provider's task final (the provider cannot stop it):
   * its upstream task is abandoned, so no later check or callback changes the outcome. See
   * AsyncRuns.cancel for the outcomes.
   */
  cancelUpstream(taskId: string, reason: string): Promise<UpstreamCancelOutcome> {
    return this.upstream.cancel(taskId, reason);
  }

  /** `outputs`: what the strategy stored, when known (saves reading them back). */
  async complete(task: GenerationTaskRecord, outputs: StoredOutputs | null): Promise<void> {
    await this.deps.tasks.update(
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
    const assets = outputs?.assets ?? (await this.deps.tasks.outputs(task.id));
    const payload: TaskCompletedEvent = {
      taskId: task.id,
      status: 'completed',
      outputs: taskOutputs(this.deps.media, assets),
    };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.completed, payload });
    await this.finished(task);
  }

  async fail(
    task: GenerationTaskRecord,
    status: 'failed' | 'cancelled',
    code: string,
    message: string,
  ): Promise<void> {
    await this.deps.tasks.update(
      task,
      { status, error_code: code, error_message: message.slice(0, 1024) },
      { stampFinish: true },
    );
    const payload: TaskFailedEvent = { taskId: task.id, status, error: { code, message } };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.failed, payload });
    await this.finished(task);
  }

  /**
   * After an end state: a cancelled asynchronous task abandons its upstream task (whichever path
   * cancelled it), then the finished hooks run (records, batches, refunds, alerts).
   */
  private async finished(task: GenerationTaskRecord): Promise<void> {
    if (task.status === 'cancelled') {
      const strategy = this.strategyFor(task);
      if (strategy.shape === 'async') await this.upstream.cancel(task.id, task.error_message ?? 'Cancelled');
    }
    for (const listener of this.finishedListeners) await listener(task);
  }

  /**
   * Publishes progress. The row's `progress` is written only with other changes (stored outputs,
   * the end state): a write per step would cost a busy database more than the event is worth.
   */
  private async progress(task: GenerationTaskRecord, progress: number, message: string): Promise<void> {
    task.progress = progress;
    const payload: TaskProgressEvent = { taskId: task.id, status: 'processing', progress, message };
    await this.deps.events.publish({ room: taskRoom(task.id), name: TaskEvents.progress, payload });
  }
}
