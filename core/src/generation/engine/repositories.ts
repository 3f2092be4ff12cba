/**
 * The generation engine's ports: where task rows, fan-out positions, asynchronous providers' upstream
 * jobs and callers' sealed credentials are stored. The engine and its strategies reach the database
 * only through these; the Sequelize adapters `{generation-task,fan-out-item,provider-job,task-credential}.repository.ts`
 * implement them (the same statements the four run loops before the engine ran themselves), and `testing/` keeps them in memory
 * for the engine's unit tests.
 *
 * Records a method returns may be handed back to the same repository (`update`, `write`): the
 * database adapter answers model instances and applies every write to them as well.
 */
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';

/** One `generation_tasks` row, as migration 0001 (and later ones) define its columns. */
export interface GenerationTaskRecord {
  id: string;
  user_id: string;
  source: string;
  kind: string;
  provider: string;
  model: string;
  prompt: string;
  /** JSON: ImageTaskParams (+ FanOutTaskParams). */
  params: string;
  status: string;
  progress: number;
  requested_count: number;
  completed_count: number;
  priority: number;
  attempts: number;
  site_switch_count: number;
  account_id: string | null;
  batch_id: string | null;
  credits_used: number;
  error_code: string | null;
  error_message: string | null;
  visibility: string;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type TaskChanges = Partial<Omit<GenerationTaskRecord, 'id'>>;

export interface GenerationTaskRepository {
  /**
   * One task. Reads of one burst are one query (a batch starts hundreds of tasks within
   * milliseconds); each caller still gets its own row.
   */
  find(taskId: string): Promise<GenerationTaskRecord | null>;
  /** The given tasks still pending or processing. */
  findUnfinished(taskIds: string[]): Promise<GenerationTaskRecord[]>;
  /**
   * Writes `values` and `updated_at` to the row and applies them to the record. Writes of one burst
   * with equal values are one statement (group commit); a task's own writes stay in order.
   * `stampStart` / `stampFinish` set `started_at` / `finished_at` to the write's time.
   */
  update(
    task: GenerationTaskRecord,
    values: TaskChanges,
    options?: { stampStart?: boolean; stampFinish?: boolean },
  ): Promise<void>;
  /** Writes exactly `values` to the row at once (no `updated_at` unless given) and applies them. */
  write(task: GenerationTaskRecord, values: TaskChanges): Promise<void>;
  /** Writes `values` only while the task is in one of `statuses`; true when it was. */
  updateWhileIn(taskId: string, statuses: readonly string[], values: TaskChanges): Promise<boolean>;
  /** Writes `values` to the row without reading it (no record at hand). */
  updateById(taskId: string, values: TaskChanges): Promise<void>;
  /** Adds one to completed_count. */
  incrementCompleted(taskId: string): Promise<void>;
  /** completed_count as stored now; null when the task is gone. */
  completedCount(taskId: string): Promise<number | null>;
  exists(taskId: string): Promise<boolean>;
  /** How many outputs the task has stored. */
  countOutputs(taskId: string): Promise<number>;
  /** The task's stored outputs by position. */
  outputs(taskId: string): Promise<MediaAssetRecord[]>;
}

/** One output position of a fanned-out task (`generation_task_items`). */
export interface FanOutItemRecord {
  task_id: string;
  position: number;
  /** pending → queued → running → done | failed */
  status: string;
  attempts: number;
  error_message: string | null;
  updated_at: Date;
}

export interface FanOutItemRepository {
  /** One pending item per position 0…count-1. */
  create(taskId: string, count: number, now: Date, transaction?: TransactionHandle): Promise<void>;
  find(taskId: string, position: number): Promise<FanOutItemRecord | null>;
  /** Every item of the task by position. */
  list(taskId: string): Promise<FanOutItemRecord[]>;
  /** Up to `limit` pending items by position. */
  pending(taskId: string, limit: number): Promise<FanOutItemRecord[]>;
  /** Moves the item to `status` only while it is in one of `from`; true when it was. */
  move(
    taskId: string,
    position: number,
    from: readonly string[] | 'not-done',
    values: Partial<Omit<FanOutItemRecord, 'task_id' | 'position'>>,
  ): Promise<boolean>;
  /** Marks every item still pending failed with `message`. */
  failPending(taskId: string, message: string, now: Date): Promise<void>;
  /** Deletes the items from `position` on (a submission that failed part-way). */
  dropFrom(taskId: string, position: number): Promise<void>;
  /** Writes to an item already read (running, attempts). */
  write(
    item: FanOutItemRecord,
    values: Partial<Omit<FanOutItemRecord, 'task_id' | 'position'>>,
  ): Promise<void>;
}

/** An asynchronous provider's task for one generation (`provider_jobs`). */
export interface ProviderJobRecord {
  task_id: string;
  provider: string;
  upstream_id: string;
  /** running → finishing → done; or cancelled (a member's cancel, final). */
  state: string;
  polls: number;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A second insert for the same task (the cancel mark and the upstream task raced). */
export class ProviderJobExistsError extends Error {
  constructor(readonly conflict: unknown) {
    super('provider job exists');
  }
}

export interface ProviderJobRepository {
  find(taskId: string): Promise<ProviderJobRecord | null>;
  findByUpstream(provider: string, upstreamId: string): Promise<ProviderJobRecord | null>;
  /** Throws ProviderJobExistsError when the task has one already. */
  create(
    job: Omit<ProviderJobRecord, 'state' | 'polls' | 'cancelled_at' | 'cancel_reason'> &
      Partial<Pick<ProviderJobRecord, 'state' | 'cancelled_at' | 'cancel_reason'>>,
  ): Promise<void>;
  /**
   * Writes `values` while the job is in `state` (and, with `updatedBefore`, last changed before
   * that instant); true when it was.
   */
  moveFrom(
    taskId: string,
    state: string,
    values: Partial<Omit<ProviderJobRecord, 'task_id'>>,
    updatedBefore?: Date,
  ): Promise<boolean>;
  /** `moveFrom` running, or from a finishing claim older than `staleBefore`: the finisher's claim. */
  claim(
    taskId: string,
    values: Partial<Omit<ProviderJobRecord, 'task_id'>>,
    staleBefore: Date,
  ): Promise<boolean>;
  /** Writes to a job already read. */
  write(job: ProviderJobRecord, values: Partial<Omit<ProviderJobRecord, 'task_id'>>): Promise<void>;
}

/** Callers' own provider credentials, sealed, kept only while their task runs. */
export interface TaskCredentialRepository {
  store(taskId: string, sealed: string, now: Date, transaction?: TransactionHandle): Promise<void>;
  /** The sealed credential, or null when the task runs on pool accounts. */
  find(taskId: string): Promise<string | null>;
  has(taskId: string): Promise<boolean>;
  remove(taskId: string): Promise<void>;
}
