import { Op, type Transaction } from 'sequelize';
import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { NanobananaModels } from '../adapters/sequelize/nanobanana.models.js';
import type { AccountPoolService } from '../accounts/account-pool.service.js';
import type { MediaService } from '../media/media.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import {
  ProviderError,
  type GeneratedAssetRef,
  type ImageGenerationRequest,
  type ImageProvider,
} from '../ports/image-provider.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import { sniffMime } from '../media/media.service.js';
import {
  FanOutEvents,
  GENERATION_ITEM_JOB,
  itemJobId,
  type FanOutFinalStatus,
  type FanOutFinishedEvent,
  type FanOutTaskParams,
  type GenerationItemJobPayload,
  type TaskOutputStoredEvent,
} from './fan-out.types.js';
import { ownKeyFailureMessage } from './generation-failures.js';
import { taskOutputs } from './task-outputs.js';
import { TaskEvents, taskRoom, type ImageTaskParams, type TaskProgressEvent } from './generation.types.js';

interface Deps {
  models: DreamloomModels & Pick<NanobananaModels, 'TaskItem' | 'TaskCredential'>;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  storage: BlobStorage;
  secrets: SecretBox;
  pool: AccountPoolService;
  providers: Record<string, ImageProvider>;
  clock: Clock;
  logger: Logger;
  /** Provider calls one position may make (transient failures only) before it fails. */
  maxAttempts: number;
  /** Wait before retrying a transient failure, multiplied by the attempt number. Default 500 ms. */
  retryDelayMs?: number;
}

const ACTIVE = ['queued', 'running'];
const UNFINISHED_TASK = ['pending', 'processing'];

type TaskParams = ImageTaskParams & FanOutTaskParams;

/**
 * Runs tasks that fan out: each output position is its own queue job (`generation-item`, id
 * `<taskId>.<position>`), at most `fanOut.concurrency` of them in flight per task. A finishing
 * position hands its slot to the next pending one, so the bound holds without a lock; the last
 * one to finish settles the task as completed, partial or failed (one conditional update wins).
 *
 * A caller-supplied credential (sealed in generation_task_credentials) replaces the pool lease
 * and is deleted the moment the task settles. The task's own `generation` job (queued by the
 * reconciler when the DB says the task is unfinished) lands in `run`, which re-queues lost items.
 */
export class FanOutRunner {
  constructor(private readonly deps: Deps) {}

  handles(task: Pick<GenerationTaskRow, 'params'>): boolean {
    try {
      return !!(JSON.parse(task.params) as TaskParams).fanOut;
    } catch {
      return false;
    }
  }

  /** Seals a caller-supplied credential for a task; it never leaves the database in the clear. */
  async storeCredential(taskId: string, credential: string, transaction?: Transaction): Promise<void> {
    await this.deps.models.TaskCredential.create(
      {
        task_id: taskId,
        secret_enc: this.deps.secrets.seal(credential),
        created_at: this.deps.clock.now(),
      },
      { transaction },
    );
  }

  async wipeCredential(taskId: string): Promise<void> {
    await this.deps.models.TaskCredential.destroy({ where: { task_id: taskId } });
  }

  /** Writes one pending item per output position (call before `submit`). */
  async createItems(taskId: string, count: number, transaction?: Transaction): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.models.TaskItem.bulkCreate(
      Array.from({ length: count }, (_, position) => ({ task_id: taskId, position, updated_at: now })),
      { transaction },
    );
  }

  /**
   * Queues the first window of positions. When the queue fails part-way, the positions that made
   * it stay and the rest are dropped: the task's total shrinks to what was submitted (contract
   * 004's partial submission). Returns how many positions the task now has.
   */
  async submit(task: GenerationTaskRow): Promise<{ submitted: number; error: string | null }> {
    const params = JSON.parse(task.params) as TaskParams;
    const window = Math.min(params.fanOut?.concurrency ?? 1, task.requested_count);
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
    const { TaskItem } = this.deps.models;
    await TaskItem.destroy({ where: { task_id: task.id, position: { [Op.gte]: queued } } });
    await task.update({
      requested_count: queued,
      status: queued === 0 ? 'failed' : task.status,
      error_code: queued === 0 ? 'SUBMIT_FAILED' : null,
      error_message: `仅提交成功 ${queued}/${task.requested_count} 个子任务: ${reason}`.slice(0, 1024),
      finished_at: queued === 0 ? this.deps.clock.now() : null,
      updated_at: this.deps.clock.now(),
    });
    if (queued === 0) await this.wipeCredential(task.id);
    return { submitted: queued, error: task.error_message ?? reason };
  }

  private async claimAndEnqueue(taskId: string, position: number): Promise<boolean> {
    const [claimed] = await this.deps.models.TaskItem.update(
      { status: 'queued', updated_at: this.deps.clock.now() },
      { where: { task_id: taskId, position, status: 'pending' } },
    );
    if (claimed === 0) return false;
    try {
      await this.enqueueItem(taskId, position);
    } catch (error) {
      await this.deps.models.TaskItem.update(
        { status: 'pending' },
        { where: { task_id: taskId, position, status: 'queued' } },
      );
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
  async run(task: GenerationTaskRow): Promise<void> {
    const { TaskItem } = this.deps.models;
    const params = JSON.parse(task.params) as TaskParams;
    const items = await TaskItem.findAll({ where: { task_id: task.id }, order: [['position', 'ASC']] });
    let active = 0;
    for (const item of items.filter((each) => ACTIVE.includes(each.status))) {
      const jobId = itemJobId(task.id, item.position);
      const state = await this.deps.queue.state(GENERATION_ITEM_JOB, jobId);
      if (state === 'missing' || state === 'failed' || state === 'completed') {
        const [requeued] = await TaskItem.update(
          { status: 'queued', updated_at: this.deps.clock.now() },
          { where: { task_id: task.id, position: item.position, status: { [Op.in]: ACTIVE } } },
        );
        if (requeued === 0) continue; // it finished meanwhile
        if (state !== 'missing') await this.deps.queue.remove(GENERATION_ITEM_JOB, jobId);
        await this.enqueueItem(task.id, item.position);
      }
      active += 1;
    }
    await this.fill(task.id, (params.fanOut?.concurrency ?? 1) - active);
    await this.settleIfDone(task.id);
  }

  /** Claims up to `slots` pending positions and queues them. */
  private async fill(taskId: string, slots: number): Promise<void> {
    if (slots <= 0) return;
    const pending = await this.deps.models.TaskItem.findAll({
      where: { task_id: taskId, status: 'pending' },
      order: [['position', 'ASC']],
      limit: slots + 4,
    });
    for (const item of pending) {
      if (slots <= 0) break;
      if (await this.claimAndEnqueue(taskId, item.position)) slots -= 1;
    }
  }

  /** One output position: generate, store, count, then hand the slot on. Idempotent. */
  async runItem(taskId: string, position: number, signal: AbortSignal): Promise<void> {
    const { GenerationTask, TaskItem } = this.deps.models;
    const task = await GenerationTask.findByPk(taskId);
    if (!task || !UNFINISHED_TASK.includes(task.status)) return;
    const item = await TaskItem.findOne({ where: { task_id: taskId, position } });
    if (!item || item.status === 'done' || item.status === 'failed') {
      await this.settleIfDone(taskId);
      return;
    }
    if (task.status === 'pending') {
      const now = this.deps.clock.now();
      await GenerationTask.update(
        { status: 'processing', started_at: now, updated_at: now },
        { where: { id: taskId, status: 'pending' } },
      );
    }
    await item.update({ status: 'running', attempts: item.attempts + 1, updated_at: this.deps.clock.now() });
    try {
      const ref = await this.generate(task, signal);
      const asset = await this.deps.media.ingestTaskOutput(
        { taskId, userId: task.user_id, position, kind: 'image', ref },
        signal,
      );
      // Only the run that flips the item to done counts it, so a redelivered job never double-counts.
      // Single conditional statements, no transaction: SQLite then never holds a write lock across
      // round trips while other positions of the task finish.
      const [marked] = await TaskItem.update(
        { status: 'done', error_message: null, updated_at: this.deps.clock.now() },
        { where: { task_id: taskId, position, status: { [Op.ne]: 'done' } } },
      );
      if (marked === 1) await GenerationTask.increment('completed_count', { by: 1, where: { id: taskId } });
      await GenerationTask.update({ updated_at: this.deps.clock.now() }, { where: { id: taskId } });
      const completedCount =
        (await GenerationTask.findByPk(taskId, { attributes: ['completed_count'] }))?.completed_count ?? 0;
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
      if (!(await GenerationTask.findByPk(taskId, { attributes: ['id'] }))) return; // deleted meanwhile
      // Shown to the caller as the task's errorMessage: the failure class in a few words (see
      // generation-failures.ts), never a provider's text, which may quote what a server answered.
      // The classified provider text goes to the log for staff.
      const message =
        error instanceof ProviderError ? ownKeyFailureMessage(error) : 'internal error: generation failed';
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
      await TaskItem.update(
        { status: 'failed', error_message: message.slice(0, 1024), updated_at: this.deps.clock.now() },
        { where: { task_id: taskId, position, status: { [Op.ne]: 'done' } } },
      );
      // A caller's own key that is dead or out of quota fails every other position the same way:
      // settle the ones not started yet instead of spending N calls to learn it N times.
      if (
        error instanceof ProviderError &&
        ['session_expired', 'out_of_credits'].includes(error.kind) &&
        (await this.deps.models.TaskCredential.count({ where: { task_id: taskId } })) > 0
      ) {
        await TaskItem.update(
          { status: 'failed', error_message: message.slice(0, 1024), updated_at: this.deps.clock.now() },
          { where: { task_id: taskId, status: 'pending' } },
        );
      }
    }
    // Hand this slot to the next pending position, then see whether the task is done.
    await this.fill(taskId, 1);
    await this.settleIfDone(taskId);
  }

  /** Calls the provider, retrying transient failures with the same credential. */
  private async generate(task: GenerationTaskRow, signal: AbortSignal): Promise<GeneratedAssetRef> {
    const provider = this.deps.providers[task.provider];
    if (!provider) throw new ProviderError('invalid_request', `No provider ${task.provider} is configured`);
    const params = JSON.parse(task.params) as TaskParams;
    const inlineImages = [];
    for (const key of params.referenceKeys ?? []) {
      const data = await this.deps.storage.get(key);
      inlineImages.push({ data, mime: sniffMime(data) ?? 'image/png' });
    }
    const request: ImageGenerationRequest = {
      model: task.model,
      prompt: task.prompt,
      ratio: params.ratio,
      resolution: params.resolution,
      inlineImages,
      sampling: params.sampling,
    };
    const sealed = await this.deps.models.TaskCredential.findByPk(task.id);
    for (let attempt = 1; ; attempt += 1) {
      const lease = sealed ? null : await this.deps.pool.lease(task.provider, 'image');
      if (!sealed && !lease)
        throw new ProviderError('rate_limited', `No ${task.provider} account is available right now`);
      const credential = sealed ? this.deps.secrets.open(sealed.secret_enc) : lease!.secret;
      try {
        const refs = await provider.generateImages(credential, request, signal);
        if (lease) await this.deps.pool.reportSuccess(lease.accountId, 'image');
        return refs[0]!;
      } catch (error) {
        if (!(error instanceof ProviderError) || signal.aborted) throw error;
        if (lease) await this.deps.pool.reportFailure(lease.accountId, 'image', error);
        // A caller's own key cannot be swapped for another: only transient failures are retried.
        const transient = ['rate_limited', 'timeout', 'upstream_error'].includes(error.kind);
        if (!transient && !(lease && error.retryElsewhere)) throw error;
        if (attempt >= this.deps.maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, (this.deps.retryDelayMs ?? 500) * attempt));
      } finally {
        await lease?.release();
      }
    }
  }

  private async publishProgress(taskId: string, completed: number, total: number): Promise<void> {
    const progress = Math.min(99, Math.round((100 * completed) / Math.max(total, 1)));
    await this.deps.models.GenerationTask.update({ progress }, { where: { id: taskId } });
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
    const { GenerationTask, TaskItem, MediaAsset } = this.deps.models;
    const items = await TaskItem.findAll({
      where: { task_id: taskId },
      attributes: ['status', 'error_message'],
    });
    if (items.length === 0 || items.some((item) => !['done', 'failed'].includes(item.status))) return;
    const task = await GenerationTask.findByPk(taskId);
    if (!task || !UNFINISHED_TASK.includes(task.status)) return;
    const done = items.filter((item) => item.status === 'done').length;
    const failed = items.length - done;
    const status: FanOutFinalStatus = failed === 0 ? 'completed' : done === 0 ? 'failed' : 'partial';
    const firstError = items.find((item) => item.status === 'failed')?.error_message ?? 'unknown';
    const errorMessage = failed ? `${failed}/${items.length} 张生成失败: ${firstError}`.slice(0, 1024) : null;
    const now = this.deps.clock.now();
    // Every position is done or failed, so the key is no longer needed: it goes before the task
    // shows as ended, so whoever sees the end also sees the key gone (deleting twice is harmless).
    await this.wipeCredential(taskId);
    const [settled] = await GenerationTask.update(
      {
        status,
        progress: 100,
        error_code: status === 'completed' ? null : status === 'failed' ? 'GENERATION_FAILED' : 'PARTIAL',
        error_message: errorMessage,
        finished_at: now,
        updated_at: now,
      },
      { where: { id: taskId, status: { [Op.in]: UNFINISHED_TASK } } },
    );
    if (settled === 0) return;
    const fresh = await GenerationTask.findByPk(taskId, { attributes: ['completed_count'] });
    const payload: FanOutFinishedEvent = {
      taskId,
      status,
      completedCount: fresh?.completed_count ?? done,
      failedCount: failed,
      totalCount: items.length,
      errorMessage,
    };
    if (status === 'failed') {
      payload.error = { code: 'GENERATION_FAILED', message: errorMessage ?? 'failed' };
      await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.failed, payload });
    } else {
      const assets = await MediaAsset.findAll({ where: { task_id: taskId }, order: [['position', 'ASC']] });
      payload.outputs = taskOutputs(this.deps.media, assets);
      await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.completed, payload });
    }
  }
}
