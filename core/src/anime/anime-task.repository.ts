/**
 * The anime families' reads of generation tasks and their media (contracts 000 and 001): history
 * pages, one task to reuse, cancel or act on, a task's outputs, the media a reference names, the
 * counts behind the member limits, and the private mark a create sets. The generation engine owns
 * the task's life (generation/engine/repositories.ts); this port only reads what anime shows and
 * decides on. Its Sequelize adapter is the file of the same name in the adapters folder.
 */
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';

/** Which tasks: of these sources, optionally one user's and in some statuses. */
export interface AnimeTaskFilter {
  userId?: string;
  sources: readonly string[];
  statuses?: readonly string[];
}

/** What the member limits count: a filter, less some statuses, created since an instant. */
export interface AnimeTaskCount extends AnimeTaskFilter {
  notStatuses?: readonly string[];
  createdSince?: Date;
}

/** The fields a member's cancel decides on. */
export type CancelFacts = Pick<GenerationTaskRecord, 'id' | 'user_id' | 'provider' | 'status'>;

export interface AnimeTaskRepository {
  task(taskId: string): Promise<GenerationTaskRecord | null>;
  cancelFacts(taskId: string): Promise<CancelFacts | null>;
  /** The task's status now; null when it is gone. */
  status(taskId: string): Promise<string | null>;
  /** Tasks newest first (created_at, then id), `offset`/`limit`, and how many match in all. */
  page(
    filter: AnimeTaskFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: GenerationTaskRecord[]; total: number }>;
  /** The outputs of the given tasks, each task's by position. */
  outputsOf(taskIds: string[]): Promise<MediaAssetRecord[]>;
  /** One task's outputs by position. */
  outputs(taskId: string): Promise<MediaAssetRecord[]>;
  /** A media file by id. */
  asset(id: string): Promise<MediaAssetRecord | null>;
  /** The media file stored (or thumbnailed) under `key`. */
  assetByKey(key: string): Promise<MediaAssetRecord | null>;
  /** The media file stored under exactly `key`. */
  assetByStorageKey(key: string): Promise<MediaAssetRecord | null>;
  /** How many tasks match, inside `transaction` when given. */
  count(filter: AnimeTaskCount, transaction?: TransactionHandle): Promise<number>;
  /** Marks a task private (in the transaction that creates it). */
  makePrivate(taskId: string, transaction: TransactionHandle): Promise<void>;
}
