import type { JimengBatch, JimengRepository, NewJimengRecord } from './jimeng.repository.js';
import { ValidationError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { OutboundRefusedError } from '../shared/outbound/outbound-errors.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { GenerationService, NewTaskSpec } from '../generation/generation.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { JimengRecordService } from './jimeng-record.service.js';
import type { BatchViewService } from './batch-views.service.js';
import { exclusiveKey, recordFields, taskSpec, validateItem } from './batch-item-tasks.js';
import {
  BatchListEvents,
  PRIORITY_LEVELS,
  RecordStatus,
  recordTypeOf,
  type BatchItemInput,
  type BatchType,
  type CreateBatchInput,
} from './jimeng.types.js';

interface Deps {
  /** Records, batches and their transaction (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  ids: IdGenerator;
  clock: Clock;
  generation: GenerationService;
  engine: Pick<GenerationEngine, 'cancel'>;
  records: JimengRecordService;
  views: BatchViewService;
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

/**
 * Contract 003 §9: submitting a storyboard batch. A batch is a set of storyboard records, each run
 * as a task of the one generation engine; the batch, its records and its tasks commit together,
 * and the engine's finished-task listener moves them forward (see JimengProgressListener).
 */
export class BatchSubmissionService {
  constructor(private readonly deps: Deps) {}

  submitMessage(batchType: BatchType): string {
    return MESSAGES[batchType];
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
      validateItem(batchType, item, index);
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
        const fields = recordFields(batchType, item, input, this.deps.defaultImageModel, global);
        const taskId = this.deps.ids.uuid();
        const previous = existingByStoryboard.get(item.storyboard_id);
        const recordId = previous?.id ?? this.deps.ids.snowflake();
        const exclusive = exclusiveKey({
          create_by: actor.id,
          type,
          work_id: input.work_id,
          storyboard_id: item.storyboard_id,
        });
        specs.push(taskSpec(actor.id, taskId, type, fields, global, priority, batchId, exclusive));
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
    if (created) await this.deps.views.announce(created, BatchListEvents.created);
    return {
      batch_id: batchId,
      total_count: items.length,
      skip_count: items.length - queued.length,
      queue_count: queued.length,
      estimated_time: await this.deps.views.estimateSeconds(type, queued.length),
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
}
