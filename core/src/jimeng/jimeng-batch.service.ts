import type { JimengBatch, JimengRecord, JimengRepository, NewJimengRecord } from './jimeng.repository.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { formatZoned, isoInstant } from '../shared/zoned-time.js';
import { OutboundRefusedError } from '../shared/outbound/outbound-errors.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { GenerationService, NewTaskSpec } from '../generation/generation.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import type { JimengRecordService, RecordView } from './jimeng-record.service.js';
import {
  BatchEvents,
  BatchListEvents,
  batchListRoomsOf,
  batchRoom,
  DEFAULTS,
  PRIORITY_LEVELS,
  RECORD_STATUS_NAMES,
  RecordStatus,
  recordTypeOf,
  type BatchItemInput,
  type BatchStatus,
  type BatchType,
  type CreateBatchInput,
} from './jimeng.types.js';

interface Deps {
  /** Records, batches and their transaction (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  ids: IdGenerator;
  clock: Clock;
  events: EventBus;
  generation: GenerationService;
  engine: Pick<GenerationEngine, 'cancel'>;
  records: JimengRecordService;
  timeZone: string;
  limits: { image: number; video: number };
  defaultImageModel: string;
  /** callback_url and input_images must pass it (the gateway fetches inputs, we POST callbacks). */
  outbound?: OutboundPolicy;
}

const MESSAGES: Record<BatchType, string> = {
  image_generate: '批量文生图任务已提交',
  image_compose: '批量图生图任务已提交',
  video_generate: '批量文生视频任务已提交',
  video_compose: '批量图生视频任务已提交',
};

/** Seconds a generation takes when there is no history yet to average. */
const FALLBACK_SECONDS = { image: 45, video: 180 };

export interface BatchSummary {
  batch_id: string;
  batch_type: string;
  project_id: string | null;
  project_name: string | null;
  work_id: string;
  status: BatchStatus;
  priority: number;
  total_count: number;
  skip_count: number;
  queue_count: number;
  completed_count: number;
  /** Items that failed; cancelled ones are counted apart. */
  failed_count: number;
  processing_count: number;
  pending_count: number;
  cancelled_count: number;
  /** Items that left the batch: their record was deleted or resubmitted in a later batch. */
  removed_count: number;
  /** completed_count over the items this batch runs (total minus skipped and removed); 1 when none. */
  progress: number;
  create_time: string | null;
  start_time: string | null;
  finish_time: string | null;
  /** The three times above as ISO 8601 instants (see isoInstant). */
  create_time_iso: string | null;
  start_time_iso: string | null;
  finish_time_iso: string | null;
}

export interface BatchItemView {
  storyboard_id: string;
  record_id: string;
  status: string;
  result_urls: string[];
  thumbnail_urls: string[];
  generation_time: number | null;
  error_message: string | null;
  retry_count: number;
}

export interface BatchCounts {
  total_count: number;
  completed_count: number;
  failed_count: number;
  processing_count: number;
  pending_count: number;
  cancelled_count: number;
}

/**
 * Contract 003 §9–§12: storyboard batches. A batch is a set of storyboard records, each run as a
 * task of the one generation engine; the engine's finished-task listener moves records and
 * batches forward (see JimengProgressListener).
 */
export class JimengBatchService {
  constructor(private readonly deps: Deps) {}

  submitMessage(batchType: BatchType): string {
    return MESSAGES[batchType];
  }

  /** Only one run of a storyboard at a time, across every worker (§13.6). */
  exclusiveKey(record: Pick<JimengRecord, 'create_by' | 'type' | 'work_id' | 'storyboard_id'>): string {
    return `jimeng:${record.create_by}:${record.type}:${record.work_id}:${record.storyboard_id}`;
  }

  async create(actor: Actor, batchType: BatchType, input: CreateBatchInput) {
    this.deps.records.assertStaff(actor);
    const type = recordTypeOf(batchType);
    const items = input.batch_data ?? [];
    const limit = this.deps.limits[type];
    if (items.length === 0) throw new ValidationError('batch_data must not be empty');
    if (items.length > limit)
      throw new ValidationError(
        `batch_data has ${items.length} items; at most ${limit} ${type} items per batch`,
      );
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.storyboard_id))
        throw new ValidationError(`batch_data[${index}].storyboard_id ${item.storyboard_id} appears twice`);
      seen.add(item.storyboard_id);
      this.validateItem(batchType, item, index);
    });
    const global = input.global_config ?? {};
    await this.assertUrlsAllowed(items, global);
    const priority = global.priority ?? PRIORITY_LEVELS.normal;
    const now = this.deps.clock.now();
    const existing = await this.deps.studio.creatorRecords({
      createdBy: actor.id,
      type,
      workId: input.work_id,
      storyboardIds: [...seen],
    });
    const existingByStoryboard = new Map(existing.map((row) => [row.storyboard_id, row]));
    const skip = global.existing_records === 'skip';
    const queued = items.filter((item) => !(skip && existingByStoryboard.has(item.storyboard_id)));
    const batchId = this.deps.ids.snowflake();
    const superseded: string[] = [];
    let created: JimengBatch | undefined;

    const tasks = await this.deps.studio.transaction(async (transaction) => {
      created = await this.deps.studio.insertBatch(
        {
          id: batchId,
          batch_type: batchType,
          project_id: input.project_id ?? null,
          project_name: input.project_name ?? null,
          work_id: input.work_id,
          global_config: JSON.stringify(global),
          status: queued.length ? 'pending' : 'completed',
          priority,
          total_count: items.length,
          skip_count: items.length - queued.length,
          queue_count: queued.length,
          callback_url: global.callback_url ?? null,
          create_by: actor.id,
          finish_time: queued.length ? null : now,
          create_time: now,
          update_time: now,
        },
        transaction,
      );
      const specs: NewTaskSpec[] = [];
      const fresh: NewJimengRecord[] = [];
      for (const item of queued) {
        const fields = this.recordFields(batchType, item, input, global);
        const taskId = this.deps.ids.uuid();
        const previous = existingByStoryboard.get(item.storyboard_id);
        const recordId = previous?.id ?? this.deps.ids.snowflake();
        const exclusive = this.exclusiveKey({
          create_by: actor.id,
          type,
          work_id: input.work_id,
          storyboard_id: item.storyboard_id,
        });
        specs.push(this.taskSpec(actor.id, taskId, type, fields, global, priority, batchId, exclusive));
        if (previous) {
          if (
            previous.task_id &&
            (previous.generation_status === RecordStatus.pending ||
              previous.generation_status === RecordStatus.processing)
          ) {
            superseded.push(previous.task_id);
          }
          await this.deps.studio.changeRecord(
            previous,
            {
              ...fields,
              batch_id: batchId,
              task_id: taskId,
              generation_status: RecordStatus.pending,
              error_message: null,
              update_by: actor.id,
              update_time: now,
            },
            transaction,
          );
        } else {
          fresh.push({
            id: recordId,
            ...fields,
            storyboard_id: item.storyboard_id,
            work_id: input.work_id,
            project_id: input.project_id ?? null,
            project_name: input.project_name ?? null,
            batch_id: batchId,
            task_id: taskId,
            callback_url: global.callback_url ?? null,
            create_by: actor.id,
            update_by: actor.id,
            create_time: now,
            update_time: now,
          });
        }
      }
      // A thousand-item batch: plain multi-row INSERTs, no model instance per row.
      await this.deps.studio.insertRecords(fresh, transaction);
      return this.deps.generation.insertTasks(specs, { transaction });
    });
    // Superseded runs of the same storyboards stop; the lock keeps them from overlapping meanwhile.
    if (superseded.length) await this.deps.engine.cancel(superseded, 'Superseded by a newer submission');
    await this.deps.generation.enqueueMany(tasks);
    // Open batch lists show it now rather than at their next poll.
    if (created) await this.announce(created, BatchListEvents.created);
    return {
      batch_id: batchId,
      total_count: items.length,
      skip_count: items.length - queued.length,
      queue_count: queued.length,
      estimated_time: await this.estimateSeconds(type, queued.length),
      task_id: batchId,
    };
  }

  /**
   * Outbound policy (SSRF) before anything is stored: the callback we will POST to and the input
   * images the gateway will download must not point at private or local addresses. Each distinct
   * URL is checked once.
   */
  private async assertUrlsAllowed(items: BatchItemInput[], global: CreateBatchInput['global_config'] = {}) {
    const policy = this.deps.outbound;
    if (!policy) return;
    const check = async (url: string, field: string) => {
      try {
        await policy.assertAllowed(url);
      } catch (error) {
        if (error instanceof OutboundRefusedError)
          throw new ValidationError(`${field} is not allowed: ${error.message}`);
        throw error;
      }
    };
    if (global.callback_url) await check(global.callback_url, 'global_config.callback_url');
    const seen = new Set<string>();
    for (const [index, item] of items.entries()) {
      for (const url of item.input_images ?? []) {
        if (seen.has(url)) continue;
        seen.add(url);
        await check(url, `batch_data[${index}].input_images`);
      }
    }
  }

  private validateItem(batchType: BatchType, item: BatchItemInput, index: number) {
    const images = item.input_images ?? [];
    if (batchType === 'image_compose' && (images.length < 1 || images.length > 10)) {
      throw new ValidationError(`batch_data[${index}].input_images must have 1–10 images`);
    }
    if (batchType === 'video_compose' && (images.length < 1 || images.length > 2)) {
      throw new ValidationError(
        `batch_data[${index}].input_images must have 1 (first frame) or 2 (first and last) images`,
      );
    }
    if ((batchType === 'image_generate' || batchType === 'video_generate') && images.length) {
      throw new ValidationError(`batch_data[${index}].input_images belongs in a compose batch`);
    }
  }

  private recordFields(
    batchType: BatchType,
    item: BatchItemInput,
    input: CreateBatchInput,
    global: CreateBatchInput['global_config'] = {},
  ) {
    const type = recordTypeOf(batchType);
    const isImage = type === 'image';
    return {
      type,
      mode: batchType,
      model: item.model ?? global.model ?? (isImage ? this.deps.defaultImageModel : DEFAULTS.video.model),
      prompt: item.prompt,
      negative_prompt: item.negative_prompt ?? null,
      ratio: item.ratio ?? global.ratio ?? (isImage ? DEFAULTS.image.ratio : DEFAULTS.video.ratio),
      resolution:
        item.resolution ??
        global.resolution ??
        (isImage ? DEFAULTS.image.resolution : DEFAULTS.video.resolution),
      duration: isImage ? null : (item.duration ?? global.duration ?? DEFAULTS.video.duration),
      sample_strength: item.sample_strength ?? null,
      intelligent_ratio: item.intelligent_ratio ?? null,
      input_images: item.input_images?.length ? JSON.stringify(item.input_images) : null,
      project_id: input.project_id ?? null,
      project_name: input.project_name ?? null,
      callback_url: global.callback_url ?? null,
    } satisfies Partial<JimengRecord>;
  }

  private taskSpec(
    userId: string,
    taskId: string,
    type: 'image' | 'video',
    fields: ReturnType<JimengBatchService['recordFields']>,
    global: CreateBatchInput['global_config'] = {},
    priority: number,
    batchId: string | null,
    exclusiveKey: string,
  ): NewTaskSpec {
    const images = fields.input_images ? (JSON.parse(fields.input_images) as string[]) : undefined;
    const strategy = global.account_strategy ?? {};
    const params: ImageTaskParams = {
      ratio: fields.ratio,
      resolution: fields.resolution,
      negativePrompt: fields.negative_prompt ?? undefined,
      sampleStrength: fields.sample_strength ?? undefined,
      intelligentRatio: fields.intelligent_ratio ?? undefined,
      referenceImages: type === 'image' ? images : undefined,
      frames: type === 'video' ? images : undefined,
      duration: fields.duration ?? undefined,
      keepAllOutputs: true,
      exclusiveKey,
      accountStrategy: strategy.load_balance,
      maxConcurrentPerAccount: strategy.max_concurrent_per_account,
      rateLimitHandling: strategy.rate_limit_handling,
    };
    return {
      id: taskId,
      userId,
      source: 'jimeng',
      kind: type,
      provider: 'jimeng',
      model: fields.model,
      prompt: fields.prompt,
      params,
      count: 1,
      priority,
      batchId,
    };
  }

  /** Queue length over the pool's current capacity, times the recent average generation time. */
  private async estimateSeconds(type: 'image' | 'video', count: number): Promise<number> {
    if (count === 0) return 0;
    const limits = await this.deps.studio.accountSlotLimits(type);
    const capacity = Math.max(
      1,
      limits.reduce((sum, limit) => sum + limit, 0),
    );
    const recent = await this.deps.studio.recentGenerationTimes(type, 50);
    const times = recent.filter((value): value is number => typeof value === 'number');
    const average = times.length
      ? times.reduce((a, b) => a + b, 0) / times.length / 1000
      : FALLBACK_SECONDS[type];
    return Math.ceil(Math.ceil(count / capacity) * average);
  }

  async findOwnBatch(actor: Actor, batchId: string): Promise<JimengBatch> {
    this.deps.records.assertStaff(actor);
    const batch = await this.deps.studio.ownBatch(batchId, this.deps.records.ownership(actor));
    if (!batch) throw new NotFoundError('Batch');
    return batch;
  }

  /** One GROUP BY over the batch's records (indexed by batch_id); called on every item event. */
  async counts(batchId: string): Promise<BatchCounts> {
    const rows = await this.deps.studio.statusCounts(batchId);
    const of = (status: number) =>
      Number(rows.find((row) => Number(row.generation_status) === status)?.count ?? 0);
    const counts = {
      completed_count: of(RecordStatus.completed),
      failed_count: of(RecordStatus.failed),
      processing_count: of(RecordStatus.processing),
      pending_count: of(RecordStatus.pending),
      cancelled_count: of(RecordStatus.cancelled),
    };
    return { total_count: Object.values(counts).reduce((sum, value) => sum + value, 0), ...counts };
  }

  statusOf(batch: JimengBatch, counts: BatchCounts): BatchStatus {
    const open = counts.pending_count + counts.processing_count;
    // A cancelled batch reads `processing` until its running items have actually stopped.
    if (batch.cancel_reason && open === 0) return 'cancelled';
    if (open > 0)
      return counts.total_count === counts.pending_count && !batch.start_time ? 'pending' : 'processing';
    const failed = counts.failed_count + counts.cancelled_count;
    if (failed === 0) return 'completed';
    return counts.completed_count === 0 ? 'failed' : 'partial_failed';
  }

  /**
   * §10.1's arithmetic: total_count = completed + failed + cancelled + processing + pending +
   * skip_count + removed_count, and progress = completed / the items run (30 completed and 5 failed
   * of 50 → 0.6: a failure is not progress).
   */
  summary(batch: JimengBatch, counts: BatchCounts): BatchSummary {
    const zone = this.deps.timeZone;
    const run = counts.total_count;
    return {
      batch_id: batch.id,
      batch_type: batch.batch_type,
      project_id: batch.project_id,
      project_name: batch.project_name,
      work_id: batch.work_id,
      status: this.statusOf(batch, counts),
      priority: batch.priority,
      total_count: batch.total_count,
      skip_count: batch.skip_count,
      queue_count: batch.queue_count,
      completed_count: counts.completed_count,
      failed_count: counts.failed_count,
      processing_count: counts.processing_count,
      pending_count: counts.pending_count,
      cancelled_count: counts.cancelled_count,
      removed_count: Math.max(0, batch.total_count - batch.skip_count - run),
      progress: run ? Math.round((counts.completed_count / run) * 1000) / 1000 : 1,
      create_time: formatZoned(batch.create_time, zone),
      start_time: formatZoned(batch.start_time, zone),
      finish_time: formatZoned(batch.finish_time, zone),
      create_time_iso: isoInstant(batch.create_time),
      start_time_iso: isoInstant(batch.start_time),
      finish_time_iso: isoInstant(batch.finish_time),
    };
  }

  async list(
    actor: Actor,
    query: { page: number; size: number; status?: string; work_id?: string },
  ): Promise<{ total: number; page: number; size: number; list: BatchSummary[] }> {
    this.deps.records.assertStaff(actor);
    const filter = { ...this.deps.records.ownership(actor), workId: query.work_id };
    // Status is derived from the records, so filter after computing it; pages stay small.
    const rows = await this.deps.studio.batchPage(filter, {
      limit: query.status ? 1000 : undefined,
      ...(query.status ? {} : { offset: (query.page - 1) * query.size }),
    });
    const all = await Promise.all(
      (query.status ? rows : rows.slice(0, query.size)).map(async (batch) =>
        this.summary(batch, await this.counts(batch.id)),
      ),
    );
    if (!query.status) {
      const total = await this.deps.studio.countBatches(filter);
      return { total, page: query.page, size: query.size, list: all };
    }
    const filtered = all.filter((item) => item.status === query.status);
    return {
      total: filtered.length,
      page: query.page,
      size: query.size,
      list: filtered.slice((query.page - 1) * query.size, query.page * query.size),
    };
  }

  /** §10.1 with per-storyboard details. */
  async status(
    actor: Actor,
    batchId: string,
  ): Promise<
    BatchSummary & {
      estimated_completion: string | null;
      estimated_completion_iso: string | null;
      details: BatchItemView[];
    }
  > {
    const batch = await this.findOwnBatch(actor, batchId);
    const counts = await this.counts(batch.id);
    const records = await this.deps.studio.batchRecords(batch.id, { ordered: 'create_time_id' });
    const views = await this.deps.records.views(records);
    const summary = this.summary(batch, counts);
    const estimate = await this.estimateSeconds(
      recordTypeOf(batch.batch_type as BatchType),
      counts.pending_count + counts.processing_count,
    );
    const running = summary.status === 'processing' || summary.status === 'pending';
    const estimatedCompletion = running
      ? new Date(this.deps.clock.now().getTime() + estimate * 1000)
      : batch.finish_time;
    return {
      ...summary,
      estimated_completion: formatZoned(estimatedCompletion, this.deps.timeZone),
      estimated_completion_iso: isoInstant(estimatedCompletion),
      details: views.map((view) => this.detail(view)),
    };
  }

  detail(view: RecordView): BatchItemView {
    return {
      storyboard_id: view.storyboard_id,
      record_id: view.id,
      status: RECORD_STATUS_NAMES[view.generation_status],
      result_urls: view.image_urls ?? view.video_urls ?? [],
      thumbnail_urls: view.thumbnail_urls,
      generation_time: view.generation_time,
      error_message: view.error_message,
      retry_count: view.retry_count,
    };
  }

  /** §10.2: failed (and cancelled) items again, or the named ones; `force` also redoes completed ones. */
  async retry(
    actor: Actor,
    batchId: string,
    input: { storyboard_ids?: string[]; force_regenerate?: boolean },
  ) {
    const batch = await this.findOwnBatch(actor, batchId);
    const records = await this.deps.studio.batchRecords(batch.id, { storyboardIds: input.storyboard_ids });
    const retryable = records.filter((record) => {
      if (
        record.generation_status === RecordStatus.failed ||
        record.generation_status === RecordStatus.cancelled
      )
        return true;
      return record.generation_status === RecordStatus.completed && !!input.force_regenerate;
    });
    const global = JSON.parse(batch.global_config ?? '{}') as CreateBatchInput['global_config'];
    const now = this.deps.clock.now();
    const tasks = await this.deps.studio.transaction(async (transaction) => {
      const specs: NewTaskSpec[] = [];
      for (const record of retryable) {
        const taskId = this.deps.ids.uuid();
        const fields = {
          ...this.recordFieldsOf(record),
        };
        specs.push(
          this.taskSpec(
            actor.id,
            taskId,
            record.type,
            fields,
            global,
            batch.priority,
            batch.id,
            this.exclusiveKey(record),
          ),
        );
        await this.deps.studio.changeRecord(
          record,
          {
            task_id: taskId,
            generation_status: RecordStatus.pending,
            retry_count: record.retry_count + 1,
            error_message: null,
            update_by: actor.id,
            update_time: now,
          },
          transaction,
        );
      }
      if (retryable.length)
        await this.deps.studio.changeBatch(
          batch,
          { finish_time: null, cancel_reason: null, update_time: now },
          transaction,
        );
      return this.deps.generation.createTasks(specs, { transaction });
    });
    await this.deps.generation.enqueueMany(tasks);
    if (retryable.length) await this.publish(batch, BatchEvents.progress);
    return { retry_count: retryable.length, batch_id: batch.id, task_id: batch.id };
  }

  private recordFieldsOf(record: JimengRecord): ReturnType<JimengBatchService['recordFields']> {
    return {
      type: record.type,
      mode: record.mode,
      model: record.model,
      prompt: record.prompt,
      negative_prompt: record.negative_prompt,
      ratio: record.ratio ?? DEFAULTS.image.ratio,
      resolution: record.resolution ?? DEFAULTS.image.resolution,
      duration: record.duration,
      sample_strength: record.sample_strength,
      intelligent_ratio: record.intelligent_ratio,
      input_images: record.input_images,
      project_id: record.project_id,
      project_name: record.project_name,
      callback_url: record.callback_url,
    } as ReturnType<JimengBatchService['recordFields']>;
  }

  /** §10.3: waiting items removed, running ones aborted (leases released), finished ones untouched. */
  async cancel(actor: Actor, batchId: string, reason?: string) {
    const batch = await this.findOwnBatch(actor, batchId);
    const records = await this.deps.studio.batchRecords(batch.id);
    const open = records.filter(
      (record) =>
        record.generation_status === RecordStatus.pending ||
        record.generation_status === RecordStatus.processing,
    );
    await this.deps.studio.changeBatch(batch, {
      cancel_reason: (reason?.trim() || 'Cancelled').slice(0, 512),
      update_time: this.deps.clock.now(),
    });
    await this.deps.engine.cancel(
      open.map((record) => record.task_id!).filter(Boolean),
      reason?.trim() || 'Batch cancelled',
    );
    return {
      cancelled_count: open.length,
      completed_count: records.filter((record) => record.generation_status === RecordStatus.completed).length,
      affected_storyboards: open.map((record) => record.storyboard_id),
    };
  }

  /** §6.2: regenerate one storyboard, keeping its record id and overwriting its results. */
  async regenerate(
    actor: Actor,
    type: 'image' | 'video',
    input: {
      storyboard_id: string;
      work_id: string;
      project_id?: string;
      project_name?: string;
      prompt?: string;
      model?: string;
      ratio?: string;
      resolution?: string;
      duration?: number;
      input_images?: string[];
    },
  ) {
    this.deps.records.assertStaff(actor);
    const record = await this.deps.studio.latestCreatorRecord({
      createdBy: actor.id,
      type,
      workId: input.work_id,
      storyboardId: input.storyboard_id,
    });
    if (!record)
      throw new AppError('RECORD_NOT_FOUND', `No ${type} record for storyboard ${input.storyboard_id}`, {
        status: 404,
      });
    const taskId = this.deps.ids.uuid();
    const now = this.deps.clock.now();
    const images =
      input.input_images ?? (record.input_images ? (JSON.parse(record.input_images) as string[]) : undefined);
    const mode = images?.length
      ? type === 'image'
        ? 'image_compose'
        : 'video_compose'
      : type === 'image'
        ? 'image_generate'
        : 'video_generate';
    this.validateItem(
      mode,
      { storyboard_id: input.storyboard_id, prompt: input.prompt ?? record.prompt, input_images: images },
      0,
    );
    const previousTask = record.generation_status <= RecordStatus.processing ? record.task_id : null;
    const [task] = await this.deps.studio.transaction(async (transaction) => {
      await this.deps.studio.changeRecord(
        record,
        {
          mode,
          prompt: input.prompt ?? record.prompt,
          model: input.model ?? record.model,
          ratio: input.ratio ?? record.ratio,
          resolution: input.resolution ?? record.resolution,
          duration: type === 'video' ? (input.duration ?? record.duration) : null,
          input_images: images?.length ? JSON.stringify(images) : null,
          project_id: input.project_id ?? record.project_id,
          project_name: input.project_name ?? record.project_name,
          task_id: taskId,
          generation_status: RecordStatus.pending,
          retry_count: record.retry_count + 1,
          error_message: null,
          update_by: actor.id,
          update_time: now,
        },
        transaction,
      );
      const global = record.batch_id
        ? (JSON.parse(
            (await this.deps.studio.batchById(record.batch_id, transaction))?.global_config ?? '{}',
          ) as CreateBatchInput['global_config'])
        : {};
      return this.deps.generation.createTasks(
        [
          this.taskSpec(
            actor.id,
            taskId,
            type,
            this.recordFieldsOf(record),
            global,
            PRIORITY_LEVELS.high,
            record.batch_id,
            this.exclusiveKey(record),
          ),
        ],
        { transaction },
      );
    });
    if (previousTask) await this.deps.engine.cancel([previousTask], 'Superseded by a regeneration');
    await this.deps.generation.enqueueMany([task]);
    return { record_id: record.id, task_id: task.id };
  }

  /** Publishes the batch's current counts (and one changed item) to its room. */
  async publish(
    batch: JimengBatch,
    name: string,
    item?: BatchItemView,
    counts?: BatchCounts,
  ): Promise<BatchSummary> {
    const summary = this.summary(batch, counts ?? (await this.counts(batch.id)));
    await this.deps.events.publish({
      room: batchRoom(batch.id),
      name,
      payload: { ...summary, ...(item ? { item } : {}) },
    });
    if (name === BatchEvents.completed) await this.announce(batch, BatchListEvents.finished, summary);
    return summary;
  }

  /** Tells the batch lists that may see this batch (its creator's, the admins') about it. */
  async announce(batch: JimengBatch, name: string, summary?: BatchSummary): Promise<void> {
    const payload = summary ?? this.summary(batch, await this.counts(batch.id));
    await Promise.all(
      batchListRoomsOf(batch.create_by).map((room) => this.deps.events.publish({ room, name, payload })),
    );
  }
}
