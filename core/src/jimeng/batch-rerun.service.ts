import type { JimengRepository } from './jimeng.repository.js';
import { AppError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { GenerationService, NewTaskSpec } from '../generation/generation.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { JimengRecordService } from './jimeng-record.service.js';
import type { BatchViewService } from './batch-views.service.js';
import { exclusiveKey, recordFieldsOf, taskSpec, validateItem } from './batch-item-tasks.js';
import { BatchEvents, PRIORITY_LEVELS, RecordStatus, type CreateBatchInput } from './jimeng.types.js';

interface Deps {
  /** Records, batches and their transaction (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  ids: IdGenerator;
  clock: Clock;
  generation: GenerationService;
  engine: Pick<GenerationEngine, 'cancel'>;
  records: JimengRecordService;
  views: BatchViewService;
}

/**
 * Contract 003 §10.2, §10.3 and §6.2: running a batch's storyboards again (retry), stopping them
 * (cancel), and regenerating one storyboard. Each new run is a new engine task on the same record;
 * the run it replaces is cancelled.
 */
export class BatchRerunService {
  constructor(private readonly deps: Deps) {}

  /** §10.2: failed (and cancelled) items again, or the named ones; `force` also redoes completed ones. */
  async retry(
    actor: Actor,
    batchId: string,
    input: { storyboard_ids?: string[]; force_regenerate?: boolean },
  ) {
    const batch = await this.deps.views.findOwnBatch(actor, batchId);
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
        const fields = recordFieldsOf(record);
        specs.push(
          taskSpec(
            actor.id,
            taskId,
            record.type,
            fields,
            global,
            batch.priority,
            batch.id,
            exclusiveKey(record),
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
    if (retryable.length) await this.deps.views.publish(batch, BatchEvents.progress);
    return { retry_count: retryable.length, batch_id: batch.id, task_id: batch.id };
  }

  /** §10.3: waiting items removed, running ones aborted (leases released), finished ones untouched. */
  async cancel(actor: Actor, batchId: string, reason?: string) {
    const batch = await this.deps.views.findOwnBatch(actor, batchId);
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
    validateItem(
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
          taskSpec(
            actor.id,
            taskId,
            type,
            recordFieldsOf(record),
            global,
            PRIORITY_LEVELS.high,
            record.batch_id,
            exclusiveKey(record),
          ),
        ],
        { transaction },
      );
    });
    if (previousTask) await this.deps.engine.cancel([previousTask], 'Superseded by a regeneration');
    await this.deps.generation.enqueueMany([task]);
    return { record_id: record.id, task_id: task.id };
  }
}
