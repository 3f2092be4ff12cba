/**
 * The Jimeng studio's port (contract 003): storyboard records, batches and callback deliveries,
 * plus the few reads of other aggregates their views need (stored media of their tasks, the
 * producing accounts' names, the pool's capacity for estimates). The record, batch, progress and
 * callback services use only this; the Sequelize adapter jimeng.repository.ts implements it with the
 * queries those services ran themselves before (same filters, orders, group commits and
 * multi-row INSERTs).
 *
 * Rows a method returns may be handed back to `changeRecord` / `changeBatch`: the database adapter
 * answers model instances and writes only the columns that changed.
 */
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';

/** One storyboard record (`jimeng_records`). */
export interface JimengRecord {
  id: string;
  type: 'image' | 'video';
  project_id: string | null;
  project_name: string | null;
  storyboard_id: string;
  work_id: string;
  batch_id: string | null;
  task_id: string | null;
  mode: string;
  model: string;
  prompt: string;
  negative_prompt: string | null;
  ratio: string | null;
  resolution: string | null;
  duration: number | null;
  sample_strength: number | null;
  intelligent_ratio: boolean | null;
  input_images: string | null;
  generation_status: number;
  site_used: string | null;
  account_id: string | null;
  /** The session mask of the account that produced it, kept when the account changes. */
  original_session_mask: string | null;
  generation_time_ms: number | null;
  site_switch_count: number;
  retry_count: number;
  error_message: string | null;
  callback_url: string | null;
  is_deleted: boolean;
  create_by: string;
  update_by: string | null;
  create_time: Date;
  update_time: Date;
}

/** The columns a new record is written with; the others take their defaults. */
export type NewJimengRecord = Omit<
  JimengRecord,
  | 'generation_status'
  | 'site_used'
  | 'account_id'
  | 'original_session_mask'
  | 'generation_time_ms'
  | 'site_switch_count'
  | 'retry_count'
  | 'error_message'
  | 'is_deleted'
>;

/** One storyboard batch (`jimeng_batches`). */
export interface JimengBatch {
  id: string;
  batch_type: string;
  project_id: string | null;
  project_name: string | null;
  work_id: string;
  global_config: string | null;
  status: string;
  priority: number;
  total_count: number;
  skip_count: number;
  queue_count: number;
  callback_url: string | null;
  cancel_reason: string | null;
  create_by: string;
  start_time: Date | null;
  finish_time: Date | null;
  create_time: Date;
  update_time: Date;
}

export type NewJimengBatch = Omit<JimengBatch, 'cancel_reason' | 'start_time'>;

/** One attempt at delivering a batch callback (`callback_deliveries`). */
export interface CallbackDelivery {
  id: string;
  batch_id: string;
  event: string;
  url: string;
  attempt: number;
  status_code: number | null;
  ok: boolean;
  error: string | null;
  duration_ms: number | null;
  created_at: Date;
}

/** A record's producing account as views name it. */
export type AccountLabel = { id: string; name: string; secret_mask?: string };

/** Records a staff member may see: their own, or everyone's when `ownerId` is left out (admins). */
export interface Ownership {
  ownerId?: string;
}

export interface JimengRepository {
  /**
   * Runs `work` in one transaction that the engine's task writes join (a batch, its records and
   * its tasks commit together).
   */
  transaction<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T>;

  // ---- records ----

  /** A page of live records, newest first, with the total. */
  recordPage(
    filter: Ownership & {
      type: 'image' | 'video';
      workId?: string;
      status?: number;
      createdFrom?: Date | null;
      createdTo?: Date | null;
    },
    window: { offset: number; limit: number },
  ): Promise<{ rows: JimengRecord[]; total: number }>;
  liveRecord(id: string, type: 'image' | 'video', owner: Ownership): Promise<JimengRecord | null>;
  liveRecords(ids: string[], type: 'image' | 'video', owner: Ownership): Promise<JimengRecord[]>;
  /** Logically deletes the live ones of these records; answers how many. */
  deleteRecords(ids: string[], by: string, at: Date): Promise<number>;
  /** The live records of these storyboards, most recently updated first. */
  storyboardRecords(
    filter: Ownership & { type: 'image' | 'video'; workId: string; storyboardIds: string[] },
  ): Promise<JimengRecord[]>;
  /** The live records created since `since` (plain rows of the columns statistics need). */
  recordStats(
    filter: Ownership & { since: Date; workId?: string },
  ): Promise<Array<Pick<JimengRecord, 'type' | 'generation_status' | 'generation_time_ms' | 'create_time'>>>;
  /** A creator's live records of these storyboards (any batch). */
  creatorRecords(filter: {
    createdBy: string;
    type: 'image' | 'video';
    workId: string;
    storyboardIds: string[];
  }): Promise<JimengRecord[]>;
  /** A creator's most recently updated live record of one storyboard. */
  latestCreatorRecord(filter: {
    createdBy: string;
    type: 'image' | 'video';
    workId: string;
    storyboardId: string;
  }): Promise<JimengRecord | null>;
  /** Inserts records with multi-row INSERTs (no per-row round trip). */
  insertRecords(rows: NewJimengRecord[], transaction: TransactionHandle): Promise<void>;
  /** Changes a record this repository returned and answers it, updated. */
  changeRecord(
    record: JimengRecord,
    changes: Partial<JimengRecord>,
    transaction?: TransactionHandle,
  ): Promise<JimengRecord>;
  /** The live records of a batch (ordered by creation when `ordered`), optionally only these storyboards. */
  batchRecords(
    batchId: string,
    options?: { ordered?: 'create_time' | 'create_time_id'; storyboardIds?: string[] },
  ): Promise<JimengRecord[]>;
  /** How many live records of the batch are in each generation status (one GROUP BY). */
  statusCounts(batchId: string): Promise<Array<{ generation_status: number; count: number | string }>>;
  /** Recent generation times of completed records of the type, newest first. */
  recentGenerationTimes(type: 'image' | 'video', limit: number): Promise<Array<number | null>>;
  /** The records whose current run is one of these tasks (live only unless `includeDeleted`). */
  recordsOfTasks(taskIds: string[], options?: { includeDeleted?: boolean }): Promise<JimengRecord[]>;
  /**
   * Marks these records processing at `now`, in storage and on the rows given (without leaving
   * them with unsaved changes).
   */
  markProcessing(records: JimengRecord[], now: Date): Promise<void>;

  // ---- batches ----

  insertBatch(values: NewJimengBatch, transaction: TransactionHandle): Promise<JimengBatch>;
  batchById(id: string, transaction?: TransactionHandle): Promise<JimengBatch | null>;
  ownBatch(id: string, owner: Ownership): Promise<JimengBatch | null>;
  /** Batches newest first (`limit`/`offset` as given), and how many match. */
  batchPage(
    filter: Ownership & { workId?: string },
    window: { limit?: number; offset?: number },
  ): Promise<JimengBatch[]>;
  countBatches(filter: Ownership & { workId?: string }): Promise<number>;
  changeBatch(
    batch: JimengBatch,
    changes: Partial<JimengBatch>,
    transaction?: TransactionHandle,
  ): Promise<JimengBatch>;
  /** Stamps the start of the batches among `ids` not started yet. */
  markBatchesStarted(ids: string[], now: Date): Promise<void>;
  /** Finishes the batch unless it is finished already; true when this call did (racing workers). */
  finishBatch(id: string, status: string, now: Date): Promise<boolean>;
  recordDelivery(delivery: CallbackDelivery): Promise<void>;

  // ---- reads of other aggregates for views and estimates ----

  /** The stored media of these tasks, by position. */
  mediaOfTasks(taskIds: string[]): Promise<MediaAssetRecord[]>;
  /** Names (and session masks, sites when asked) of these accounts. */
  accountLabels(ids: string[]): Promise<AccountLabel[]>;
  accountSites(ids: string[]): Promise<Array<AccountLabel & { site_type: string; secret_mask: string }>>;
  /** max_concurrent of each Jimeng account now able to take this kind of work. */
  accountSlotLimits(kind: 'image' | 'video'): Promise<number[]>;
}
