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
  total_count: number;
  completed_count: number;
  failed_count: number;
  processing_count: number;
  pending_count: number;
  /** 0–1. */
  progress: number;
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
  create_time?: string;
  start_time?: string | null;
  finish_time?: string | null;
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
