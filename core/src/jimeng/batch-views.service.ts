import type { JimengBatch, JimengRepository } from './jimeng.repository.js';
import { NotFoundError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import { formatZoned, isoInstant } from '../shared/zoned-time.js';
import type { JimengRecordService, RecordView } from './jimeng-record.service.js';
import {
  BatchEvents,
  BatchListEvents,
  batchListRoomsOf,
  batchRoom,
  RECORD_STATUS_NAMES,
  RecordStatus,
  recordTypeOf,
  type BatchStatus,
  type BatchType,
} from './jimeng.types.js';

interface Deps {
  /** Batches and their records (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  clock: Clock;
  events: EventBus;
  records: JimengRecordService;
  timeZone: string;
}

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
 * Contract 003 §10.1: what a storyboard batch looks like — its counts (one GROUP BY over its
 * records), the status derived from them, the summary lists and rooms show, the per-storyboard
 * details and the completion estimate. The same summaries are answered to reads and published to
 * the batch's room and the batch lists, so both live here.
 */
export class BatchViewService {
  constructor(private readonly deps: Deps) {}

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

  /** Queue length over the pool's current capacity, times the recent average generation time. */
  async estimateSeconds(type: 'image' | 'video', count: number): Promise<number> {
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
