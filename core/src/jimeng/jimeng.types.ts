/** Contract 003 generation_status values of a storyboard record. */
export const RecordStatus = { pending: 0, processing: 1, completed: 2, failed: 3, cancelled: 4 } as const;
export type RecordStatusName = keyof typeof RecordStatus;
export const RECORD_STATUS_NAMES: Record<number, RecordStatusName> = {
  0: 'pending',
  1: 'processing',
  2: 'completed',
  3: 'failed',
  4: 'cancelled',
};

export const BATCH_TYPES = ['image_generate', 'image_compose', 'video_generate', 'video_compose'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];
export const recordTypeOf = (batchType: BatchType): 'image' | 'video' =>
  batchType.startsWith('image') ? 'image' : 'video';

/** Contract 003 §11.2: 1 urgent, 2 high, 3 normal, 4 low — also the BullMQ priority (lower runs first). */
export const PRIORITY_LEVELS = { urgent: 1, high: 2, normal: 3, low: 4 } as const;

export type BatchStatus = 'pending' | 'processing' | 'completed' | 'partial_failed' | 'failed' | 'cancelled';

/** One storyboard item of a batch, after merging global_config (§9). */
export interface BatchItemInput {
  storyboard_id: string;
  prompt: string;
  negative_prompt?: string;
  ratio?: string;
  resolution?: string;
  intelligent_ratio?: boolean;
  sample_strength?: number;
  model?: string;
  duration?: number;
  input_images?: string[];
}

export interface BatchGlobalConfig {
  model?: string;
  resolution?: string;
  ratio?: string;
  duration?: number;
  callback_url?: string;
  priority?: number;
  /** skip storyboards that already have a record, or overwrite them (default). */
  existing_records?: 'skip' | 'overwrite';
  account_strategy?: {
    load_balance?: 'round_robin' | 'least_used' | 'priority';
    max_concurrent_per_account?: number;
    auto_switch_on_failure?: boolean;
    rate_limit_handling?: 'wait' | 'skip' | 'switch_on_limit';
  };
}

export interface CreateBatchInput {
  project_id?: string;
  project_name?: string;
  work_id: string;
  batch_data: BatchItemInput[];
  global_config?: BatchGlobalConfig;
}

/** Events on a batch's socket.io room. */
export const batchRoom = (batchId: string) => `batch:${batchId}`;
export const BatchEvents = { progress: 'batch.progress', completed: 'batch.completed' } as const;

/**
 * The batch list's staff room (`batches`): a socket asking for it joins the batches it may see
 * (003: staff their own, admins all), so a list learns of a new or finished batch at once.
 */
export const BATCH_LIST_ROOM = 'batches';
export const batchListRoomFor = (actor: { id: string; role: string }) =>
  actor.role === 'admin' ? BATCH_LIST_ROOM : `${BATCH_LIST_ROOM}:${actor.id}`;
/** The rooms one batch's list events go to: its creator's and the admins'. */
export const batchListRoomsOf = (createBy: string) => [`${BATCH_LIST_ROOM}:${createBy}`, BATCH_LIST_ROOM];
/**
 * `progress` carries a running batch's fresh counts (no item), once per group of item changes, so
 * a list's progress bars move as the batch runs instead of on a poll.
 */
export const BatchListEvents = {
  created: 'batch.created',
  progress: 'batch.progress',
  finished: 'batch.finished',
} as const;

/** Callback job: delivers `batch_completed` to callback_url with retries. */
export const CALLBACK_JOB = 'jimeng-callback';
export interface CallbackJobPayload {
  batchId: string;
}

/** Defaults per type when neither the item nor global_config says (contract §9). */
export const DEFAULTS = {
  image: { ratio: '1:1', resolution: '2k' },
  video: { ratio: '16:9', resolution: '720p', duration: 5, model: 'jimeng-video-3.0' },
} as const;
