import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { JimengBatchRow, JimengModels } from '../adapters/sequelize/jimeng.models.js';
import type { Clock } from '../ports/clock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { Logger } from '../shared/logger.js';
import type { GenerationProcessor } from '../generation/generation.processor.js';
import type { BatchCounts, BatchItemView, JimengBatchService } from './jimeng-batch.service.js';
import type { JimengRecordService } from './jimeng-record.service.js';
import { BatchEvents, CALLBACK_JOB, RecordStatus, type CallbackJobPayload } from './jimeng.types.js';

interface Deps {
  models: DreamloomModels & JimengModels;
  batches: JimengBatchService;
  records: JimengRecordService;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  callbackAttempts: number;
}

const FINAL_STATUS: Record<string, number> = {
  completed: RecordStatus.completed,
  failed: RecordStatus.failed,
  cancelled: RecordStatus.cancelled,
};

/**
 * Moves storyboard records and their batches along as the engine runs their tasks: a record goes
 * processing when its task starts and takes the task's outcome when it ends; a batch whose last
 * record ends is finished exactly once (a conditional update), which schedules its callback.
 */
export class JimengProgressListener {
  private readonly startedBatches = new Set<string>();

  constructor(private readonly deps: Deps) {}

  register(processor: GenerationProcessor): void {
    processor.onBeforeRun((task) => this.beforeRun(task));
    processor.onFinished((task) => this.finished(task));
  }

  /** A task that is no longer its record's current run (superseded, record deleted) does not run. */
  private async beforeRun(task: GenerationTaskRow) {
    if (task.source !== 'jimeng') return null;
    const record = await this.deps.models.JimengRecord.findOne({
      where: { task_id: task.id, is_deleted: false },
    });
    if (!record) return { code: 'SUPERSEDED', message: 'The storyboard was resubmitted or deleted' };
    const now = this.deps.clock.now();
    await record.update({ generation_status: RecordStatus.processing, update_time: now });
    if (record.batch_id) {
      if (!this.startedBatches.has(record.batch_id)) {
        await this.deps.models.JimengBatch.update(
          { start_time: now, status: 'processing' },
          { where: { id: record.batch_id, start_time: null } },
        );
        // Remember (bounded) so the other items of a large batch skip this write.
        if (this.startedBatches.size > 1000) this.startedBatches.clear();
        this.startedBatches.add(record.batch_id);
      }
      const [view] = await this.deps.records.views([record], { withMedia: false });
      await this.publishItem(record.batch_id, this.deps.batches.detail(view));
    }
    return null;
  }

  private async finished(task: GenerationTaskRow): Promise<void> {
    if (task.source !== 'jimeng') return;
    const record = await this.deps.models.JimengRecord.findOne({ where: { task_id: task.id } });
    if (!record) return;
    const account = task.account_id
      ? await this.deps.models.ProviderAccount.findByPk(task.account_id, {
          attributes: ['id', 'name', 'site_type'],
        })
      : null;
    const started = task.started_at ?? task.created_at;
    const seconds = task.finished_at
      ? Math.max(0, Math.round((task.finished_at.getTime() - started.getTime()) / 1000))
      : null;
    await record.update({
      generation_status: FINAL_STATUS[task.status] ?? RecordStatus.failed,
      account_id: task.account_id ?? null,
      site_used: account?.site_type ?? null,
      site_switch_count: task.site_switch_count,
      generation_time: task.status === 'completed' ? seconds : null,
      error_message: task.status === 'completed' ? null : (task.error_message ?? task.error_code ?? 'Failed'),
      update_time: this.deps.clock.now(),
    });
    if (!record.batch_id) return;
    const [view] = await this.deps.records.views([record], { accounts: account ? [account] : [] });
    const published = await this.publishItem(record.batch_id, this.deps.batches.detail(view));
    if (published && published.counts.pending_count + published.counts.processing_count === 0)
      await this.finishBatch(published.batch, published.counts);
  }

  /** Publishes one item's change with the batch's fresh counts; returns the batch and those counts. */
  private async publishItem(
    batchId: string,
    item: BatchItemView,
  ): Promise<{ batch: JimengBatchRow; counts: BatchCounts } | null> {
    const batch = await this.deps.models.JimengBatch.findByPk(batchId);
    if (!batch) return null;
    const counts = await this.deps.batches.counts(batchId);
    await this.deps.batches.publish(batch, BatchEvents.progress, item, counts);
    return { batch, counts };
  }

  /** Ends the batch exactly once (a conditional update decides between racing workers) and schedules its callback. */
  private async finishBatch(batch: JimengBatchRow, counts: BatchCounts): Promise<void> {
    if (batch.finish_time) return;
    const batchId = batch.id;
    const now = this.deps.clock.now();
    const status = this.deps.batches.statusOf(batch, counts);
    const [won] = await this.deps.models.JimengBatch.update(
      { finish_time: now, status, update_time: now },
      { where: { id: batchId, finish_time: null } },
    );
    if (won === 0) return; // another worker finished it first
    batch.finish_time = now;
    batch.status = status;
    await this.deps.batches.publish(batch, BatchEvents.completed, undefined, counts);
    if (batch.callback_url) {
      await this.deps.queue.enqueue<CallbackJobPayload>(
        CALLBACK_JOB,
        { batchId },
        {
          jobId: `callback-${batchId}-${now.getTime()}`,
          attempts: this.deps.callbackAttempts,
          backoffMs: 2000,
        },
      );
    }
    this.deps.logger.info({ batchId, status }, 'batch finished');
  }
}
