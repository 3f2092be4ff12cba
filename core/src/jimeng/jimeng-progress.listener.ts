import type { AccountLabel, JimengBatch, JimengRecord, JimengRepository } from './jimeng.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { Logger } from '../shared/logger.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import { GroupCommit } from '../shared/group-commit.js';
import type { BatchCounts, BatchItemView, BatchViewService } from './batch-views.service.js';
import type { JimengRecordService } from './jimeng-record.service.js';
import {
  BatchEvents,
  BatchListEvents,
  CALLBACK_JOB,
  RecordStatus,
  type CallbackJobPayload,
} from './jimeng.types.js';

/** What the listener reads of a task the engine starts or finishes. */
type EngineTask = Parameters<Parameters<GenerationEngine['onFinished']>[0]>[0];

interface Deps {
  /** Records and batches (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  batches: BatchViewService;
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

type Refusal = { code: string; message: string } | null;

const SUPERSEDED: Refusal = { code: 'SUPERSEDED', message: 'The storyboard was resubmitted or deleted' };

/**
 * Moves storyboard records and their batches along as the engine runs their tasks: a record goes
 * processing when its task starts and takes the task's outcome when it ends; a batch whose last
 * record ends is finished exactly once (a conditional update), which schedules its callback.
 *
 * A large batch starts and ends hundreds of tasks a second, so each of these steps is a group
 * commit: the tasks of one burst share one record lookup, one status write and one count of the
 * batch, and each task still waits until its own part is written (see GroupCommit).
 */
export class JimengProgressListener {
  private readonly startedBatches = new Set<string>();
  private readonly starts = new GroupCommit<'start', EngineTask, Map<string, Refusal>>((_, tasks) =>
    this.startGroup(tasks),
  );
  private readonly ends = new GroupCommit<'end', EngineTask, void>((_, tasks) => this.endGroup(tasks));
  private readonly itemEvents = new GroupCommit<string, BatchItemView, void>((batchId, items) =>
    this.publishItems(batchId, items),
  );

  constructor(private readonly deps: Deps) {}

  register(engine: GenerationEngine): void {
    engine.onBeforeRun((task) => this.beforeRun(task));
    engine.onFinished((task) => this.finished(task));
  }

  /** A task that is no longer its record's current run (superseded, record deleted) does not run. */
  private async beforeRun(task: EngineTask): Promise<Refusal> {
    if (task.source !== 'jimeng') return null;
    return (await this.starts.add('start', task)).get(task.id) ?? null;
  }

  private async startGroup(tasks: EngineTask[]): Promise<Map<string, Refusal>> {
    const { studio } = this.deps;
    const records = await studio.recordsOfTasks(tasks.map((task) => task.id));
    const current = new Set(records.map((record) => record.task_id));
    const refusals = new Map<string, Refusal>(
      tasks.map((task) => [task.id, current.has(task.id) ? null : SUPERSEDED]),
    );
    if (records.length === 0) return refusals;
    const now = this.deps.clock.now();
    await studio.markProcessing(records, now);
    const newBatches = [
      ...new Set(records.map((record) => record.batch_id).filter((id): id is string => !!id)),
    ].filter((id) => !this.startedBatches.has(id));
    if (newBatches.length) {
      await studio.markBatchesStarted(newBatches, now);
      // Remember (bounded) so the other items of a large batch skip this write.
      if (this.startedBatches.size > 1000) this.startedBatches.clear();
      for (const id of newBatches) this.startedBatches.add(id);
    }
    // The item events are news for watchers, not a condition for running: the tasks go on to
    // lease an account while they are counted and published (in order, per batch).
    void this.publishRecords(records, { withMedia: false }).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'could not publish started batch items'),
    );
    return refusals;
  }

  private finished(task: EngineTask): Promise<void> {
    if (task.source !== 'jimeng') return Promise.resolve();
    return this.ends.add('end', task);
  }

  private async endGroup(tasks: EngineTask[]): Promise<void> {
    const { studio } = this.deps;
    const records = await studio.recordsOfTasks(
      tasks.map((task) => task.id),
      { includeDeleted: true },
    );
    if (records.length === 0) return;
    const taskById = new Map(tasks.map((task) => [task.id, task]));
    const accountIds = [...new Set(tasks.map((task) => task.account_id).filter((id): id is string => !!id))];
    const accounts = accountIds.length ? await studio.accountSites(accountIds) : [];
    const siteOf = new Map(accounts.map((account) => [account.id, account.site_type]));
    const maskOf = new Map(accounts.map((account) => [account.id, account.secret_mask]));
    const now = this.deps.clock.now();
    await Promise.all(
      records.map((record) => {
        const task = taskById.get(record.task_id!)!;
        const started = task.started_at ?? task.created_at;
        const elapsedMs = task.finished_at
          ? Math.max(0, task.finished_at.getTime() - started.getTime())
          : null;
        return studio.changeRecord(record, {
          generation_status: FINAL_STATUS[task.status] ?? RecordStatus.failed,
          account_id: task.account_id ?? null,
          site_used: (task.account_id && siteOf.get(task.account_id)) ?? null,
          original_session_mask: (task.account_id && maskOf.get(task.account_id)) ?? null,
          site_switch_count: task.site_switch_count,
          generation_time_ms: task.status === 'completed' ? elapsedMs : null,
          error_message:
            task.status === 'completed' ? null : (task.error_message ?? task.error_code ?? 'Failed'),
          update_time: now,
        });
      }),
    );
    // Awaited: a batch's last item finishes the batch here, and the queue must not drop the job
    // (which replays this listener after a crash) before that is written.
    await this.publishRecords(records, { accounts });
  }

  /** Publishes each record's change (with its batch's fresh counts) on its batch's room. */
  private async publishRecords(
    records: JimengRecord[],
    options: { withMedia?: boolean; accounts?: AccountLabel[] },
  ): Promise<void> {
    const inBatches = records.filter((record) => record.batch_id);
    if (inBatches.length === 0) return;
    const views = await this.deps.records.views(inBatches, options);
    await Promise.all(
      inBatches.map((record, index) =>
        this.itemEvents.add(record.batch_id!, this.deps.batches.detail(views[index])),
      ),
    );
  }

  /** One count of the batch for a group of item events; a batch with nothing left open is finished. */
  private async publishItems(batchId: string, items: BatchItemView[]): Promise<void> {
    const batch = await this.deps.studio.batchById(batchId);
    if (!batch) return;
    const counts = await this.deps.batches.counts(batchId);
    const [summary] = await Promise.all(
      items.map((item) => this.deps.batches.publish(batch, BatchEvents.progress, item, counts)),
    );
    const open = counts.pending_count + counts.processing_count;
    // The batch lists hear the group's counts once (its end is announced by finishBatch instead).
    if (summary && open > 0) await this.deps.batches.announce(batch, BatchListEvents.progress, summary);
    if (open === 0) await this.finishBatch(batch, counts);
  }

  /** Ends the batch exactly once (a conditional update decides between racing workers) and schedules its callback. */
  private async finishBatch(batch: JimengBatch, counts: BatchCounts): Promise<void> {
    if (batch.finish_time) return;
    const batchId = batch.id;
    const now = this.deps.clock.now();
    const status = this.deps.batches.statusOf(batch, counts);
    const won = await this.deps.studio.finishBatch(batchId, status, now);
    if (!won) return; // another worker finished it first
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
