/**
 * GenerationService's port: where it creates task rows (`generation_tasks`) and reads them back
 * for status views, short-id lookups and the reconciler. The engine's own reads and writes of the
 * same rows go through `engine/repositories.ts`; one Sequelize adapter
 * (`generation-task.repository.ts` among the Sequelize adapters) implements both, with the statements the
 * service ran itself before the port.
 */
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';
import type { GenerationTaskRecord } from './engine/repositories.js';

/** The columns a new task is written with; the others take their column defaults. */
export type NewTaskRecord = Pick<
  GenerationTaskRecord,
  | 'id'
  | 'user_id'
  | 'source'
  | 'kind'
  | 'provider'
  | 'model'
  | 'prompt'
  | 'params'
  | 'requested_count'
  | 'priority'
  | 'created_at'
  | 'updated_at'
> &
  Partial<Pick<GenerationTaskRecord, 'visibility' | 'batch_id'>>;

/** What deciding who may see a task, or use its outputs, needs (see media/media-access.ts). */
export type TaskAccess = Pick<GenerationTaskRecord, 'id' | 'user_id' | 'source' | 'visibility'>;

export interface TaskStore {
  /** Writes one task and answers it as stored (defaults filled in). */
  create(task: NewTaskRecord): Promise<GenerationTaskRecord>;
  /** Writes many tasks in one statement and answers them as stored. */
  createMany(tasks: NewTaskRecord[], transaction?: TransactionHandle): Promise<GenerationTaskRecord[]>;
  /**
   * Writes many tasks in one multi-row INSERT without reading them back (a storyboard batch of a
   * thousand: no record per row is built).
   */
  insertMany(tasks: NewTaskRecord[], transaction?: TransactionHandle): Promise<void>;
  /**
   * One task, read on its own (a status read; the engine's `find` batches its reads of one burst
   * and shares their records, which a view must not hold on to).
   */
  load(taskId: string): Promise<GenerationTaskRecord | null>;
  /** Only the columns access is decided on. */
  findAccess(taskId: string): Promise<TaskAccess | null>;
  /** The owner's tasks whose id starts with `prefix`, newest first, at most `limit`. */
  findOwnByPrefix(userId: string, prefix: string, limit: number): Promise<GenerationTaskRecord[]>;
  /** Pending or processing tasks last changed before `olderThan`, oldest first, at most `limit`. */
  unfinished(olderThan: Date, limit: number): Promise<GenerationTaskRecord[]>;
  /** The task's stored outputs by position. */
  outputs(taskId: string): Promise<MediaAssetRecord[]>;
}
