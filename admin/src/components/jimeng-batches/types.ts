/** Batch statuses of contract 003 §10.1 plus `cancelled` (§10.3). */
export const BATCH_STATUSES = [
  'pending',
  'processing',
  'completed',
  'partial_failed',
  'failed',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const BATCH_TYPES = ['image_generate', 'image_compose', 'video_generate', 'video_compose'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];

/** Per-storyboard statuses inside a batch. */
export const ITEM_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface BatchCounts {
  /** Every storyboard submitted: the buckets below plus skip_count and removed_count. */
  total_count: number;
  completed_count: number;
  /** Failed items; cancelled ones are counted apart. */
  failed_count: number;
  processing_count: number;
  pending_count: number;
  cancelled_count?: number;
  skip_count?: number;
  /** Items whose record was deleted or resubmitted in a later batch. */
  removed_count?: number;
  /** completed_count over the items the batch runs, 0–1 (1 when it runs none). */
  progress: number;
}

/** Items the batch runs: every status bucket (no skipped or removed ones). */
export function itemsRun(counts: BatchCounts): number {
  return (
    counts.completed_count +
    counts.failed_count +
    (counts.cancelled_count ?? 0) +
    counts.processing_count +
    counts.pending_count
  );
}

/** One row of `GET /api/v1/jimeng/batch/list` (a Dreamloom addition). */
export interface BatchSummary extends BatchCounts {
  batch_id: string;
  batch_type: BatchType | string;
  project_id?: string;
  project_name?: string;
  work_id?: string;
  status: BatchStatus | string;
  priority?: number;
  /** Contract 003's Asia/Shanghai wall-clock times; the admin shows the `_iso` instants beside them. */
  create_time?: string;
  start_time?: string | null;
  finish_time?: string | null;
  create_time_iso?: string | null;
  start_time_iso?: string | null;
  finish_time_iso?: string | null;
  [extra: string]: unknown;
}

export interface BatchItem {
  storyboard_id: string;
  record_id?: string | null;
  status: ItemStatus | string;
  result_urls?: string[];
  thumbnail_urls?: string[];
  generation_time?: number | null;
  error_message?: string | null;
  retry_count?: number;
}

/** `GET /api/v1/jimeng/batch/{batch_id}/status` (contract 003 §10.1). */
export interface BatchDetail extends BatchCounts {
  batch_id: string;
  batch_type: BatchType | string;
  status: BatchStatus | string;
  start_time?: string | null;
  estimated_completion?: string | null;
  start_time_iso?: string | null;
  estimated_completion_iso?: string | null;
  details: BatchItem[];
  [extra: string]: unknown;
}

/** `batch.progress` / `batch.completed` on the `batch:<id>` socket.io room. */
export interface BatchProgressEvent extends BatchCounts {
  batch_id: string;
  status: BatchStatus | string;
  item?: BatchItem;
}

/** Image or video, from a batch type like `video_compose`. */
export function mediaKind(batchType: string | undefined): 'image' | 'video' {
  return batchType?.startsWith('video') ? 'video' : 'image';
}

/** A batch that can still change: live updates and cancel make sense only then. */
export function isActive(status: string | undefined): boolean {
  return status === 'pending' || status === 'processing';
}
