import type { MediaService } from '../../media/media.service.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventBus } from '../../ports/event-bus.port.js';
import { ProviderError } from '../../ports/image-provider.port.js';
import type { JobQueue } from '../../ports/job-queue.port.js';
import { isHandedBack } from '../../ports/job-hand-back.js';
import type { Logger } from '../../shared/logger.js';
import { providerFailureCode } from '../generation-failures.js';
import {
  PROVIDER_POLL_JOB,
  TERMINAL_STATUSES,
  TaskEvents,
  taskRoom,
  type ProviderPollJobPayload,
  type TaskProgressEvent,
  type TaskStatus,
} from '../generation.types.js';
import {
  ProviderJobExistsError,
  type GenerationTaskRecord,
  type GenerationTaskRepository,
  type ProviderJobRecord,
  type ProviderJobRepository,
} from './repositories.js';
import type { AsyncStrategy, TaskSettlement, UpstreamResult, UpstreamStatus } from './strategy.js';

interface Deps {
  tasks: GenerationTaskRepository;
  jobs: ProviderJobRepository;
  queue: JobQueue;
  events: EventBus;
  media: Pick<MediaService, 'ingestTaskOutput'>;
  clock: Clock;
  logger: Logger;
  settle: TaskSettlement;
}

/** A `finishing` claim older than this belonged to a crashed process and may be taken over. */
const STALE_CLAIM_MS = 5 * 60_000;

/**
 * What a member's cancel found: `cancelled` (the upstream task is abandoned and the generation
 * ended), `pending` (no upstream task yet; a cancel mark now stops the engine from creating one),
 * `finishing` (a result is being stored right now), `done` (already ended).
 */
export type UpstreamCancelOutcome = 'cancelled' | 'pending' | 'finishing' | 'done';

/** Upstream id of the cancel mark left for a task whose upstream task does not exist yet. */
const unstartedMark = (taskId: string) => `cancelled-before-start:${taskId}`;

const pollJobId = (taskId: string, polls: number) => `${taskId}:poll:${polls}`;

/**
 * The engine's asynchronous shape: the generation job only creates the upstream task (and records
 * its id in `provider_jobs`), then delayed `provider-poll` jobs re-check it with the strategy's
 * backoff. Whichever sees the end first — a check or the provider's callback — claims the task
 * (`running` → `finishing` in one conditional update) and ends it; the other one changes nothing,
 * so a failure reported twice is refunded once. A member's cancel takes the same claim
 * (`running` → `cancelled`), so exactly one of them wins.
 */
export class AsyncRuns {
  private readonly byProvider = new Map<string, AsyncStrategy>();

  constructor(private readonly deps: Deps) {}

  register(strategy: AsyncStrategy): void {
    this.byProvider.set(strategy.provider, strategy);
  }

  /** The generation job of an asynchronous task: submit upstream once, then let checks watch it. */
  async start(task: GenerationTaskRecord, strategy: AsyncStrategy, signal: AbortSignal): Promise<void> {
    const { jobs, clock } = this.deps;
    const existing = await jobs.find(task.id);
    if (existing) {
      if (existing.state === 'cancelled') {
        await this.endCancelled(task.id, existing.cancel_reason ?? 'Cancelled');
        return;
      }
      // Re-delivered (reconciler, crash): the upstream task exists; make sure someone checks it.
      if (existing.state === 'done') return;
      const jobId = pollJobId(task.id, existing.polls);
      const state = await this.deps.queue.state(PROVIDER_POLL_JOB, jobId);
      // A crashed check leaves its id behind as failed (or completed): clear it so it can run again.
      if (state === 'failed' || state === 'completed') await this.deps.queue.remove(PROVIDER_POLL_JOB, jobId);
      await this.schedulePoll(strategy, task.id, existing.polls);
      return;
    }
    const now = clock.now();
    await this.deps.tasks.write(task, {
      status: 'processing',
      started_at: task.started_at ?? now,
      attempts: task.attempts + 1,
      progress: 10,
      updated_at: now,
    });
    let upstreamId: string;
    try {
      upstreamId = await strategy.submit(task, signal);
    } catch (error) {
      // Handed back or a provider's refusal: the engine ends it (or gives the job back).
      if (!signal.aborted || isHandedBack(signal)) throw error;
      // A member's cancel left its reason on the mark; other aborts have none.
      const mark = await jobs.find(task.id);
      await this.endCancelled(task.id, mark?.cancel_reason ?? 'Cancelled');
      return;
    }
    try {
      await jobs.create({
        task_id: task.id,
        provider: strategy.provider,
        upstream_id: upstreamId,
        created_at: now,
        updated_at: clock.now(),
      });
    } catch (error) {
      if (!(error instanceof ProviderJobExistsError)) throw error;
      // The member cancelled while the provider was creating the task: keep its id beside the
      // cancel mark (a callback for it is then recognised and ignored) and abandon it.
      const mark = await jobs.find(task.id);
      if (mark?.state !== 'cancelled') throw error.conflict;
      await jobs.write(mark, { upstream_id: upstreamId, updated_at: clock.now() });
      await this.endCancelled(task.id, mark.cancel_reason ?? 'Cancelled');
      return;
    }
    // Aborted after the provider accepted the task (the cancel event came late): abandon it the same way.
    if (signal.aborted && !isHandedBack(signal)) {
      await this.cancel(task.id, 'Cancelled');
      return;
    }
    await this.schedulePoll(strategy, task.id, 0);
  }

  /**
   * Makes a member's cancel final. The provider may have no cancel endpoint (kie.ai has none), so
   * the upstream task runs on; the provider job moves `running` → `cancelled` in one conditional
   * update (the same claim a finishing check or callback needs, so exactly one of them wins), the
   * next scheduled check is dropped, and from then on checks ask nothing and callbacks change nothing.
   */
  async cancel(taskId: string, reason: string): Promise<UpstreamCancelOutcome> {
    const { jobs } = this.deps;
    const now = this.deps.clock.now();
    const mark = {
      state: 'cancelled',
      cancelled_at: now,
      cancel_reason: reason.slice(0, 255),
      updated_at: now,
    };
    if (await jobs.moveFrom(taskId, 'running', mark)) {
      const job = await jobs.find(taskId);
      if (job) await this.deps.queue.remove(PROVIDER_POLL_JOB, pollJobId(taskId, job.polls));
      await this.endCancelled(taskId, reason);
      this.deps.logger.info(
        { taskId, provider: job?.provider },
        'upstream task cancelled; its result will be ignored',
      );
      return 'cancelled';
    }
    const job = await jobs.find(taskId);
    if (!job) {
      const task = await this.deps.tasks.find(taskId);
      try {
        await jobs.create({
          task_id: taskId,
          provider: task?.provider ?? 'unknown',
          upstream_id: unstartedMark(taskId),
          ...mark,
          created_at: now,
        });
        return 'pending';
      } catch (error) {
        // The engine recorded its upstream task at this instant: cancel that instead.
        if (error instanceof ProviderJobExistsError) return this.cancel(taskId, reason);
        throw error;
      }
    }
    // The engine recorded its upstream task between the claim above and this read: claim again.
    if (job.state === 'running') return this.cancel(taskId, reason);
    if (job.state === 'finishing')
      return this.claimable(job) ? this.cancelStale(taskId, reason) : 'finishing';
    // Cancelled twice: the first cancel's outcome stands (a mark without an upstream task is
    // still waiting for the engine to see it).
    if (job.state === 'cancelled') return job.upstream_id === unstartedMark(taskId) ? 'pending' : 'cancelled';
    return 'done';
  }

  /** A `finishing` claim left by a crashed process: take it over for the cancel. */
  private async cancelStale(taskId: string, reason: string): Promise<UpstreamCancelOutcome> {
    const now = this.deps.clock.now();
    const claimed = await this.deps.jobs.moveFrom(
      taskId,
      'finishing',
      { state: 'cancelled', cancelled_at: now, cancel_reason: reason.slice(0, 255), updated_at: now },
      new Date(now.getTime() - STALE_CLAIM_MS),
    );
    if (!claimed) return 'finishing';
    await this.endCancelled(taskId, reason);
    return 'cancelled';
  }

  /** Ends the generation as cancelled unless it already ended (the credits hook refunds it once). */
  private async endCancelled(taskId: string, reason: string): Promise<void> {
    const task = await this.deps.tasks.find(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) return;
    await this.deps.settle.fail(task, 'cancelled', 'CANCELLED', reason);
  }

  private async schedulePoll(strategy: AsyncStrategy, taskId: string, polls: number): Promise<void> {
    await this.deps.queue.enqueue<ProviderPollJobPayload>(
      PROVIDER_POLL_JOB,
      { taskId },
      { jobId: pollJobId(taskId, polls), delayMs: strategy.pollDelay(polls) },
    );
  }

  /** One delayed check: ends the task if the provider says it ended, else schedules the next one. */
  async poll(taskId: string, signal?: AbortSignal): Promise<void> {
    const job = await this.deps.jobs.find(taskId);
    if (!job || !this.claimable(job)) return;
    const strategy = this.byProvider.get(job.provider);
    if (!strategy) return;
    const task = await this.deps.tasks.find(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) {
      await this.deps.jobs.write(job, { state: 'done', updated_at: this.deps.clock.now() });
      return;
    }
    let status: UpstreamStatus | null = null;
    try {
      status = await strategy.check(job.upstream_id, signal);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (!error.retryElsewhere) {
        await this.finish(taskId, {
          outcome: 'fail',
          code: providerFailureCode(error.kind),
          message: error.message,
        });
        return;
      }
      this.deps.logger.warn(
        { taskId, provider: job.provider, err: error.message },
        'upstream status check failed; will retry',
      );
    }
    if (status?.result) {
      await this.finish(taskId, status.result);
      return;
    }
    const elapsed = this.deps.clock.now().getTime() - new Date(job.created_at).getTime();
    if (elapsed >= strategy.pollTimeoutMs) {
      await this.finish(taskId, {
        outcome: 'fail',
        code: 'PROVIDER_TIMEOUT',
        message: `${job.provider} task did not finish within ${Math.round(strategy.pollTimeoutMs / 1000)} s`,
      });
      return;
    }
    const now = this.deps.clock.now();
    // Conditional: a cancel that landed during this check must not get a next check scheduled.
    const stillRunning = await this.deps.jobs.moveFrom(taskId, 'running', {
      polls: job.polls + 1,
      updated_at: now,
    });
    if (!stillRunning) return;
    const polls = job.polls + 1;
    // Keeps the reconciler from re-delivering a task that is being watched.
    const progress = Math.min(90, 20 + polls * 5);
    await this.deps.tasks.write(task, { updated_at: now, progress });
    const payload: TaskProgressEvent = {
      taskId,
      status: 'processing',
      progress,
      message: status ? `${job.provider}: ${status.state}` : 'Checking',
    };
    await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.progress, payload });
    await this.schedulePoll(strategy, taskId, polls);
  }

  /**
   * A provider's callback. Unknown tasks change nothing; cancelled ones neither. A callback the
   * strategy could not authenticate is only a hint: the provider is asked.
   */
  async callback(
    provider: string,
    body: unknown,
    headers: { signature?: string; timestamp?: string },
  ): Promise<{ known: boolean; finished: boolean }> {
    const strategy = this.byProvider.get(provider);
    if (!strategy) return { known: false, finished: false };
    const said = strategy.readCallback(body, headers);
    if (!said.upstreamId) return { known: false, finished: false };
    const job = await this.deps.jobs.findByUpstream(provider, said.upstreamId);
    if (!job) return { known: false, finished: false };
    if (job.state === 'cancelled') {
      this.deps.logger.info({ taskId: job.task_id, provider }, 'callback for a cancelled task ignored');
      return { known: true, finished: false };
    }
    if (!this.claimable(job)) return { known: true, finished: false };
    let status = said.status;
    if (!status) {
      try {
        status = await strategy.check(job.upstream_id);
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        // The provider could not confirm right now; the scheduled checks will.
        return { known: true, finished: false };
      }
    }
    if (!status.result) return { known: true, finished: false };
    return { known: true, finished: await this.finish(job.task_id, status.result) };
  }

  private claimable(job: Pick<ProviderJobRecord, 'state' | 'updated_at'>): boolean {
    if (job.state === 'running') return true;
    return (
      job.state === 'finishing' &&
      this.deps.clock.now().getTime() - new Date(job.updated_at).getTime() > STALE_CLAIM_MS
    );
  }

  /** Claims the task and ends it; false when someone else already did. */
  private async finish(taskId: string, result: UpstreamResult): Promise<boolean> {
    const { jobs, tasks, settle } = this.deps;
    const now = this.deps.clock.now();
    const claimed = await jobs.claim(
      taskId,
      { state: 'finishing', updated_at: now },
      new Date(now.getTime() - STALE_CLAIM_MS),
    );
    if (!claimed) return false;
    const task = await tasks.find(taskId);
    try {
      if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) return false;
      if (result.outcome === 'fail') {
        await settle.fail(task, 'failed', result.code, result.message);
        return true;
      }
      const wanted = Math.max(1, task.requested_count);
      let stored = await tasks.countOutputs(taskId);
      try {
        for (const url of result.urls.slice(stored, wanted)) {
          await this.deps.media.ingestTaskOutput({
            taskId,
            userId: task.user_id,
            position: stored,
            kind: task.kind === 'image' ? 'image' : 'video',
            ref: { url },
          });
          stored += 1;
          await tasks.write(task, { completed_count: stored, updated_at: this.deps.clock.now() });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await settle.fail(task, 'failed', 'OUTPUT_DOWNLOAD_FAILED', message);
        return true;
      }
      await settle.complete(task, null);
      return true;
    } finally {
      // Only our own claim: a cancel that took over a stale claim keeps its mark.
      await jobs.moveFrom(taskId, 'finishing', { state: 'done', updated_at: this.deps.clock.now() });
    }
  }
}
