import { Op, UniqueConstraintError } from 'sequelize';
import type { AnimeModels } from '../adapters/sequelize/anime.models.js';
import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import {
  isKieTerminal,
  kiePollDelay,
  parseKieRecord,
  type KieClient,
  type KieTaskRecord,
} from '../adapters/providers/kie/kie.client.js';
import type { DelegatedTaskRunner, GenerationProcessor } from '../generation/generation.processor.js';
import {
  TERMINAL_STATUSES,
  TaskEvents,
  taskRoom,
  type ImageTaskParams,
  type TaskProgressEvent,
  type TaskStatus,
} from '../generation/generation.types.js';
import type { MediaService } from '../media/media.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import { ProviderError } from '../ports/image-provider.port.js';
import type { Logger } from '../shared/logger.js';
import { PROVIDER_POLL_JOB, type ProviderPollJobPayload, type VideoTaskRequest } from './anime.types.js';
import { verifyKieSignature } from './kie-signature.js';
import { failOnProviderError } from './fail-on-provider-error.js';
import { providerFailureCode } from '../generation/generation-failures.js';

interface Deps {
  models: DreamloomModels & AnimeModels;
  client: KieClient;
  processor: GenerationProcessor;
  media: MediaService;
  queue: JobQueue;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  apiKey: string;
  /** Where kie POSTs its callback (the unified webhook). */
  callbackUrl: string;
  webhookKey?: string;
  pollInitialMs: number;
  pollMaxMs: number;
  pollTimeoutMs: number;
}

/** A `finishing` claim older than this belonged to a crashed process and may be taken over. */
const STALE_CLAIM_MS = 5 * 60_000;

/**
 * What a member's cancel found: `cancelled` (the upstream task is abandoned and the generation
 * ended), `pending` (no upstream task yet; a cancel mark now stops the runner from creating one),
 * `finishing` (a result is being stored right now), `done` (already ended).
 */
export type KieCancelOutcome = 'cancelled' | 'pending' | 'finishing' | 'done';

/** Upstream id of the cancel mark left for a task whose kie task does not exist yet. */
const unstartedMark = (taskId: string) => `cancelled-before-start:${taskId}`;

/** Builds kie's `input` for one of contract 001's models (PROVIDERS.md §2 names). */
export function kieVideoInput(prompt: string, request: VideoTaskRequest): Record<string, unknown> {
  const images = request.reference_image_urls;
  const duration = String(request.duration_seconds);
  switch (request.input_style) {
    case 'kling3':
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        mode: request.mode ?? 'std',
        sound: false,
        multi_shots: request.multi_shots,
        // multi_shots uses the first frame only (contract 001 v1.2).
        ...(images.length ? { image_urls: request.multi_shots ? images.slice(0, 1) : images } : {}),
      };
    case 'sora':
      return {
        prompt,
        aspect_ratio: request.aspect_ratio === '9:16' ? 'portrait' : 'landscape',
        n_frames: duration,
        remove_watermark: true,
        ...(request.mode ? { size: request.mode === 'pro' ? 'high' : 'standard' } : {}),
        ...(images.length ? { image_urls: images } : {}),
      };
    case 'wan':
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        resolution: request.resolution ?? '720p',
        ...(images.length ? { image_url: images[0] } : {}),
      };
    default:
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        ...(images.length ? { image_url: images[0] } : {}),
      };
  }
}

/**
 * kie.ai tasks are asynchronous, so they do not hold a worker slot while kie works: the
 * generation job only creates the upstream task (and records its id), then delayed
 * `provider-poll` jobs re-check it with backoff. Whichever sees the end first — a poll or the
 * webhook — claims the task (`running` → `finishing` in one conditional UPDATE) and ends it;
 * the other one changes nothing, so a failure reported twice is refunded once.
 */
export class KieVideoRunner implements DelegatedTaskRunner {
  constructor(private readonly deps: Deps) {}

  handles(task: GenerationTaskRow): boolean {
    return task.provider === 'kie';
  }

  async run(task: GenerationTaskRow, signal: AbortSignal): Promise<void> {
    const { ProviderJob } = this.deps.models;
    const existing = await ProviderJob.findByPk(task.id);
    if (existing) {
      if (existing.state === 'cancelled') {
        await this.endCancelled(task.id, existing.cancel_reason ?? 'Cancelled');
        return;
      }
      // Re-delivered (reconciler, crash): the upstream task exists; make sure someone checks it.
      if (existing.state === 'done') return;
      const jobId = this.pollJobId(task.id, existing.polls);
      const state = await this.deps.queue.state(PROVIDER_POLL_JOB, jobId);
      // A crashed check leaves its id behind as failed (or completed): clear it so it can run again.
      if (state === 'failed' || state === 'completed') await this.deps.queue.remove(PROVIDER_POLL_JOB, jobId);
      await this.schedulePoll(task.id, existing.polls);
      return;
    }
    const now = this.deps.clock.now();
    await task.update({
      status: 'processing',
      started_at: task.started_at ?? now,
      attempts: task.attempts + 1,
      progress: 10,
      updated_at: now,
    });
    const params = JSON.parse(task.params) as ImageTaskParams;
    const request = params.request as VideoTaskRequest;
    let upstreamId: string;
    try {
      upstreamId = await this.createWithRetry(task, request, signal);
    } catch (error) {
      if (signal.aborted) {
        // A member's cancel left its reason on the mark; other aborts have none.
        const mark = await ProviderJob.findByPk(task.id);
        await this.endCancelled(task.id, mark?.cancel_reason ?? 'Cancelled');
        return;
      }
      await failOnProviderError(this.deps.processor, task, error);
      return;
    }
    try {
      await ProviderJob.create({
        task_id: task.id,
        provider: 'kie',
        upstream_id: upstreamId,
        created_at: now,
        updated_at: this.deps.clock.now(),
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      // The member cancelled while kie was creating the task: keep its id beside the cancel mark
      // (a callback for it is then recognised and ignored) and abandon it.
      const mark = await ProviderJob.findByPk(task.id);
      if (mark?.state !== 'cancelled') throw error;
      await mark.update({ upstream_id: upstreamId, updated_at: this.deps.clock.now() });
      await this.endCancelled(task.id, mark.cancel_reason ?? 'Cancelled');
      return;
    }
    // Aborted after kie accepted the task (the cancel event came late): abandon it the same way.
    if (signal.aborted) {
      await this.cancel(task.id, 'Cancelled');
      return;
    }
    await this.schedulePoll(task.id, 0);
  }

  /**
   * Makes a member's cancel final. kie.ai has no cancel endpoint, so the upstream task runs on;
   * the provider job moves `running` → `cancelled` in one conditional UPDATE (the same claim a
   * finishing poll or webhook needs, so exactly one of them wins), the next scheduled check is
   * dropped, and from then on polls ask kie nothing and callbacks change nothing.
   */
  async cancel(taskId: string, reason: string): Promise<KieCancelOutcome> {
    const { ProviderJob } = this.deps.models;
    const now = this.deps.clock.now();
    const mark = {
      state: 'cancelled',
      cancelled_at: now,
      cancel_reason: reason.slice(0, 255),
      updated_at: now,
    };
    const [claimed] = await ProviderJob.update(mark, { where: { task_id: taskId, state: 'running' } });
    if (claimed) {
      const job = await ProviderJob.findByPk(taskId);
      if (job) await this.deps.queue.remove(PROVIDER_POLL_JOB, this.pollJobId(taskId, job.polls));
      await this.endCancelled(taskId, reason);
      this.deps.logger.info({ taskId }, 'kie task cancelled; its upstream result will be ignored');
      return 'cancelled';
    }
    const job = await ProviderJob.findByPk(taskId);
    if (!job) {
      try {
        await ProviderJob.create({
          task_id: taskId,
          provider: 'kie',
          upstream_id: unstartedMark(taskId),
          ...mark,
          created_at: now,
        });
        return 'pending';
      } catch (error) {
        // The runner recorded its upstream task at this instant: cancel that instead.
        if (error instanceof UniqueConstraintError) return this.cancel(taskId, reason);
        throw error;
      }
    }
    // The runner recorded its upstream task between the claim above and this read: claim again.
    if (job.state === 'running') return this.cancel(taskId, reason);
    if (job.state === 'finishing')
      return this.claimable(job) ? this.cancelStale(taskId, reason) : 'finishing';
    // Cancelled twice: the first cancel's outcome stands (a mark without an upstream task is
    // still waiting for the runner to see it).
    if (job.state === 'cancelled') return job.upstream_id === unstartedMark(taskId) ? 'pending' : 'cancelled';
    return 'done';
  }

  /**
   * Finished-listener: a kie generation cancelled by any path (the engine's own cancel, a staff
   * tool) abandons its upstream task too, so its polls stop and its late result is ignored.
   */
  async onTaskFinished(task: GenerationTaskRow): Promise<void> {
    if (task.provider !== 'kie' || task.status !== 'cancelled') return;
    await this.cancel(task.id, task.error_message ?? 'Cancelled');
  }

  /** A `finishing` claim left by a crashed process: take it over for the cancel. */
  private async cancelStale(taskId: string, reason: string): Promise<KieCancelOutcome> {
    const now = this.deps.clock.now();
    const [claimed] = await this.deps.models.ProviderJob.update(
      { state: 'cancelled', cancelled_at: now, cancel_reason: reason.slice(0, 255), updated_at: now },
      {
        where: {
          task_id: taskId,
          state: 'finishing',
          updated_at: { [Op.lt]: new Date(now.getTime() - STALE_CLAIM_MS) },
        },
      },
    );
    if (!claimed) return 'finishing';
    await this.endCancelled(taskId, reason);
    return 'cancelled';
  }

  /** Ends the generation as cancelled unless it already ended (the credits listener refunds it once). */
  private async endCancelled(taskId: string, reason: string): Promise<void> {
    const task = await this.deps.models.GenerationTask.findByPk(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) return;
    await this.deps.processor.failExternally(task, 'cancelled', 'CANCELLED', reason);
  }

  /** A few quick retries for transient answers (429, maintenance, 5xx); others fail at once. */
  private async createWithRetry(
    task: GenerationTaskRow,
    request: VideoTaskRequest,
    signal: AbortSignal,
  ): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.deps.client.createTask(
          this.deps.apiKey,
          {
            model: task.model,
            input: kieVideoInput(task.prompt, request),
            callBackUrl: this.deps.callbackUrl,
          },
          signal,
        );
      } catch (error) {
        const transient =
          error instanceof ProviderError &&
          ['rate_limited', 'upstream_error', 'timeout'].includes(error.kind);
        if (!transient || attempt >= 3 || signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  private pollJobId(taskId: string, polls: number): string {
    return `${taskId}:poll:${polls}`;
  }

  private async schedulePoll(taskId: string, polls: number): Promise<void> {
    await this.deps.queue.enqueue<ProviderPollJobPayload>(
      PROVIDER_POLL_JOB,
      { taskId },
      {
        jobId: this.pollJobId(taskId, polls),
        delayMs: kiePollDelay(polls, this.deps.pollInitialMs, this.deps.pollMaxMs),
      },
    );
  }

  /** One delayed re-check: ends the task if kie says it ended, else schedules the next one. */
  async poll(taskId: string, signal?: AbortSignal): Promise<void> {
    const job = await this.deps.models.ProviderJob.findByPk(taskId);
    if (!job || !this.claimable(job)) return;
    const task = await this.deps.models.GenerationTask.findByPk(taskId);
    if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) {
      await job.update({ state: 'done', updated_at: this.deps.clock.now() });
      return;
    }
    let record: KieTaskRecord | null = null;
    try {
      record = await this.deps.client.recordInfo(this.deps.apiKey, job.upstream_id, signal);
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
      this.deps.logger.warn({ taskId, err: error.message }, 'kie status check failed; will retry');
    }
    if (record && isKieTerminal(record.state)) {
      await this.finishFromRecord(taskId, record);
      return;
    }
    const elapsed = this.deps.clock.now().getTime() - new Date(job.created_at).getTime();
    if (elapsed >= this.deps.pollTimeoutMs) {
      await this.finish(taskId, {
        outcome: 'fail',
        code: 'PROVIDER_TIMEOUT',
        message: `kie task did not finish within ${Math.round(this.deps.pollTimeoutMs / 1000)} s`,
      });
      return;
    }
    const now = this.deps.clock.now();
    // Conditional: a cancel that landed during this check must not get a next check scheduled.
    const [stillRunning] = await this.deps.models.ProviderJob.update(
      { polls: job.polls + 1, updated_at: now },
      { where: { task_id: taskId, state: 'running' } },
    );
    if (!stillRunning) return;
    job.polls += 1;
    // Keeps the reconciler from re-delivering a task that is being watched.
    const progress = Math.min(90, 20 + job.polls * 5);
    await task.update({ updated_at: now, progress });
    const payload: TaskProgressEvent = {
      taskId,
      status: 'processing',
      progress,
      message: record ? `kie: ${record.state}` : 'Checking',
    };
    await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.progress, payload });
    await this.schedulePoll(taskId, job.polls);
  }

  /**
   * kie's callback. Unknown tasks change nothing. With a webhook key the body is trusted once its
   * signature checks out; without one the callback is only a hint and recordInfo is asked.
   */
  async handleCallback(
    body: unknown,
    headers: { signature?: string; timestamp?: string },
  ): Promise<{ known: boolean; finished: boolean }> {
    const envelope = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const data = (envelope.data && typeof envelope.data === 'object' ? envelope.data : envelope) as Record<
      string,
      unknown
    >;
    const bodyCode = typeof envelope.code === 'number' ? envelope.code : undefined;
    const parsed = parseKieRecord(data, bodyCode);
    if (this.deps.webhookKey) {
      verifyKieSignature(this.deps.webhookKey, parsed.taskId, headers, this.deps.clock.now());
    }
    if (!parsed.taskId) return { known: false, finished: false };
    const job = await this.deps.models.ProviderJob.findOne({
      where: { provider: 'kie', upstream_id: parsed.taskId },
    });
    if (!job) return { known: false, finished: false };
    if (job.state === 'cancelled') {
      this.deps.logger.info({ taskId: job.task_id }, 'kie callback for a cancelled task ignored');
      return { known: true, finished: false };
    }
    if (!this.claimable(job)) return { known: true, finished: false };
    let record = parsed;
    if (!this.deps.webhookKey) {
      try {
        record = await this.deps.client.recordInfo(this.deps.apiKey, job.upstream_id);
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        // kie could not confirm right now; the scheduled polls will.
        return { known: true, finished: false };
      }
    }
    if (!isKieTerminal(record.state)) return { known: true, finished: false };
    return { known: true, finished: await this.finishFromRecord(job.task_id, record) };
  }

  private claimable(job: { state: string; updated_at: Date }): boolean {
    if (job.state === 'running') return true;
    return (
      job.state === 'finishing' &&
      this.deps.clock.now().getTime() - new Date(job.updated_at).getTime() > STALE_CLAIM_MS
    );
  }

  private finishFromRecord(taskId: string, record: KieTaskRecord): Promise<boolean> {
    if (record.state === 'success' && record.resultUrls.length) {
      return this.finish(taskId, { outcome: 'success', urls: record.resultUrls });
    }
    return this.finish(taskId, {
      outcome: 'fail',
      code: 'PROVIDER_GENERATION_FAILED',
      message: record.failMsg ?? (record.state === 'success' ? 'kie returned no result' : 'kie task failed'),
    });
  }

  /** Claims the task and ends it; false when someone else already did. */
  private async finish(
    taskId: string,
    result: { outcome: 'success'; urls: string[] } | { outcome: 'fail'; code: string; message: string },
  ): Promise<boolean> {
    const { ProviderJob, GenerationTask } = this.deps.models;
    const now = this.deps.clock.now();
    const [claimed] = await ProviderJob.update(
      { state: 'finishing', updated_at: now },
      {
        where: {
          task_id: taskId,
          [Op.or]: [
            { state: 'running' },
            { state: 'finishing', updated_at: { [Op.lt]: new Date(now.getTime() - STALE_CLAIM_MS) } },
          ],
        },
      },
    );
    if (!claimed) return false;
    const task = await GenerationTask.findByPk(taskId);
    try {
      if (!task || TERMINAL_STATUSES.includes(task.status as TaskStatus)) return false;
      if (result.outcome === 'fail') {
        await this.deps.processor.failExternally(task, 'failed', result.code, result.message);
        return true;
      }
      const wanted = Math.max(1, task.requested_count);
      let stored = await this.deps.models.MediaAsset.count({ where: { task_id: taskId } });
      try {
        for (const url of result.urls.slice(stored, wanted)) {
          await this.deps.media.ingestTaskOutput({
            taskId,
            userId: task.user_id,
            position: stored,
            kind: 'video',
            ref: { url },
          });
          stored += 1;
          await task.update({ completed_count: stored, updated_at: this.deps.clock.now() });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await this.deps.processor.failExternally(task, 'failed', 'OUTPUT_DOWNLOAD_FAILED', message);
        return true;
      }
      await this.deps.processor.completeExternally(task);
      return true;
    } finally {
      // Only our own claim: a cancel that took over a stale claim keeps its mark.
      await ProviderJob.update(
        { state: 'done', updated_at: this.deps.clock.now() },
        { where: { task_id: taskId, state: 'finishing' } },
      );
    }
  }
}
