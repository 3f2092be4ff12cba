/**
 * Contract 004's port: where NanoBanana tasks (a `generation_tasks` row of source `nanobanana`
 * with its `nanobanana_tasks` view), their images (`media_assets`) and the anonymous workspace's
 * user are stored. The submit, query, image and removal use cases reach the database only through
 * it (and the search index port beside it); the Sequelize adapter SequelizeNanobananaRepository
 * implements it with the statements the single NanobananaService ran before the port existed.
 *
 * Writes that must commit together take a {@link TransactionHandle} from the module's unit of work.
 */
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';
import type { NanobananaScope } from './nanobanana.types.js';

/** The two rows of a new batch: its engine task and its 004 view. */
export interface NewNanobananaTask {
  id: string;
  ownerKey: string;
  model: string;
  prompt: string;
  /** JSON: ImageTaskParams + FanOutTaskParams (+ the caller's request minus the key). */
  params: string;
  requestedCount: number;
  /** The caller's `options` JSON text, as sent. */
  options: string;
  /** The prompt's search text (search-text.ts). */
  searchText: string;
  now: Date;
}

/** What a task removal read before deleting, to delete the files afterwards and tell the owners. */
export interface RemovedTaskParts {
  images: Array<Pick<MediaAssetRecord, 'storage_key' | 'thumbnail_key'>>;
  tasks: Array<Pick<GenerationTaskRecord, 'id' | 'user_id' | 'params'>>;
}

export interface NanobananaRepository {
  /** Creates the user that owns the shared anonymous workspace's tasks, unless it exists. */
  ensureUser(user: { id: string; displayName: string; now: Date }): Promise<void>;

  /**
   * Writes a batch's task (status processing, private, started now) and its 004 view. The record
   * answered may be handed to the engine (FanOutSubmission.submit), which writes to it.
   */
  createTask(task: NewNanobananaTask, transaction: TransactionHandle): Promise<GenerationTaskRecord>;

  /** NanoBanana tasks among `ids` that the scope may see, in the order of `ids` (plain rows). */
  tasksInScope(scope: NanobananaScope, ids: string[]): Promise<GenerationTaskRecord[]>;

  /** One page of the scope's task ids, newest first (ties by id, descending), and their total. */
  historyPage(
    scope: NanobananaScope,
    limit: number,
    offset: number,
  ): Promise<{ taskIds: string[]; total: number }>;

  /** The images of these tasks by position (plain rows). */
  imagesOfTasks(taskIds: string[]): Promise<MediaAssetRecord[]>;

  /** The `options` text each of these tasks was created with, by task id. */
  optionsOfTasks(taskIds: string[]): Promise<Map<string, string>>;

  /**
   * First half of removing tasks, in `transaction`: deletes their fan-out items and credentials,
   * reads their images with a locking read (see NanobananaTaskRemoval) and deletes them. Answers
   * the images and tasks read, whose files the caller deletes after the commit.
   */
  removeTaskParts(taskIds: string[], transaction: TransactionHandle): Promise<RemovedTaskParts>;

  /** Second half: deletes the tasks' 004 views and task rows (after the search index forgot them). */
  removeTasks(taskIds: string[], transaction: TransactionHandle): Promise<void>;

  /** An image by id (any contract's), or null. */
  findImage(imageId: string): Promise<MediaAssetRecord | null>;

  /** These images (any contract's); unknown ids are left out. */
  findImages(imageIds: string[]): Promise<MediaAssetRecord[]>;

  /** Whose media an id is: null when no such image, else its task id and that task's source. */
  imageOrigin(imageId: string): Promise<{ taskId: string | null; taskSource: string | null } | null>;

  /** Deletes an image row; false when it was gone already (a concurrent delete won). */
  deleteImage(imageId: string): Promise<boolean>;

  /** Takes one off the task's completed_count, never below 0 (one conditional statement). */
  decrementCompleted(taskId: string): Promise<void>;
}
