import type {
  BatchDetail as BatchDetailView,
  BatchItemView,
  BatchStatus,
  BatchSummary as BatchSummaryView,
  BatchType,
} from '@dreamloom/contracts';

/**
 * The batch views of contract 003 as the admin reads them. Fields and their types come from
 * @dreamloom/contracts (the schemas the server answers with); each view below only says which of
 * them the admin relies on, the rest being optional because live events are merged into earlier
 * answers field by field (batch-live.ts) and an event may carry a subset.
 */
export type { BatchStatus, BatchType };

/** Every status filter the batch list offers (typed against the contract's: a new status fails here). */
export const BATCH_STATUSES = [
  'pending',
  'processing',
  'completed',
  'partial_failed',
  'failed',
  'cancelled',
] as const satisfies readonly BatchStatus[];

/** Per-storyboard statuses inside a batch (the contract types them as strings). */
export const ITEM_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

type CountField =
  'total_count' | 'completed_count' | 'failed_count' | 'processing_count' | 'pending_count' | 'progress';

/** §10.1's counts: the five buckets and progress always, skipped/removed/cancelled when sent. */
export type BatchCounts = Pick<BatchSummaryView, CountField> &
  Partial<Pick<BatchSummaryView, 'cancelled_count' | 'skip_count' | 'removed_count'>>;

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
export type BatchSummary = BatchCounts &
  Pick<BatchSummaryView, 'batch_id' | 'batch_type' | 'status'> &
  Partial<Omit<BatchSummaryView, CountField | 'batch_id' | 'batch_type' | 'status'>>;

/** One storyboard of a batch's status. */
export type BatchItem = Pick<BatchItemView, 'storyboard_id' | 'status'> &
  Partial<Omit<BatchItemView, 'storyboard_id' | 'status'>>;

/** `GET /api/v1/jimeng/batch/{batch_id}/status` (contract 003 §10.1). */
export type BatchDetail = BatchSummary &
  Partial<Pick<BatchDetailView, 'estimated_completion' | 'estimated_completion_iso'>> & {
    details: BatchItem[];
  };

/**
 * `batch.progress` / `batch.completed` on the `batch:<id>` socket.io room: the batch's summary
 * (what JimengBatchService.publish sends) and the storyboard that changed, if one did.
 */
export type BatchProgressEvent = BatchSummary & { item?: BatchItem };

/** Image or video, from a batch type like `video_compose`. */
export function mediaKind(batchType: string | undefined): 'image' | 'video' {
  return batchType?.startsWith('video') ? 'video' : 'image';
}

/** A batch that can still change: live updates and cancel make sense only then. */
export function isActive(status: string | undefined): boolean {
  return status === 'pending' || status === 'processing';
}
