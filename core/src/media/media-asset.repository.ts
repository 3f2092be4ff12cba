/**
 * MediaService's port: where stored task outputs are recorded (`media_assets`). The Sequelize
 * adapter (media-asset.repository.ts among the Sequelize adapters) implements it with the statements the
 * service ran itself before the port.
 */
import type { MediaAssetRecord } from './media-asset.js';

/**
 * A second row for the same task output (unique task_id + position): another run of the same
 * position stored it first. The adapter maps its database's unique-constraint error to this.
 */
export class MediaAssetExistsError extends Error {
  constructor(readonly conflict: unknown) {
    super('media asset exists');
  }
}

export interface MediaAssetRepository {
  /** Output `position` of a task, if stored. */
  findOutput(taskId: string, position: number): Promise<MediaAssetRecord | null>;
  /** Whether a row holds output `position` of a task (reads its id only). */
  hasOutput(taskId: string, position: number): Promise<boolean>;
  /** Writes a new row; throws MediaAssetExistsError when the task's position is taken. */
  create(asset: MediaAssetRecord): Promise<MediaAssetRecord>;
  /** A stored file by its media id (story images served by id, an avatar to crop). */
  byId(id: string): Promise<MediaAssetRecord | null>;
  /** The file stored under this key (story uploads served by filename). */
  byStorageKey(key: string): Promise<MediaAssetRecord | null>;
  /** Whether a row names this storage key (reads its id only: an avatar's icon made already). */
  hasStorageKey(key: string): Promise<boolean>;
}
