import type { MediaAssetRecord } from '../media/media-asset.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Logger } from '../shared/logger.js';
import { NanobananaNotFoundError, NanobananaValidationError } from './nanobanana.errors.js';
import type { NanobananaRepository } from './nanobanana.repository.js';
import { NANOBANANA_SOURCE, type ExportEntry, type NanobananaScope } from './nanobanana.types.js';
import { deleteStoredFiles } from './stored-files.js';

interface Deps {
  repository: NanobananaRepository;
  storage: BlobStorage;
  logger: Logger;
  /** A deleted image changes its task on every node's caches (GenerationService.tasksChanged). */
  tasksChanged?: (taskIds: string[], owners?: string[]) => Promise<void>;
}

/** Image ids as contract 004 writes them (media_assets ids); anything else is no image. */
const IMAGE_ID = /^\d{1,20}$/;

/** The images of contract 004 tasks: whose an id is, one image, deleting one, exporting some. */
export class NanobananaImages {
  constructor(private readonly deps: Deps) {}

  /** Whose media an id is: a NanoBanana task's image, another contract's media, or nothing. */
  async imageOwner(imageId: string): Promise<'nanobanana' | 'other' | 'none'> {
    const origin = await this.deps.repository.imageOrigin(imageId);
    if (!origin) return 'none';
    if (!origin.taskId) return 'other';
    return origin.taskSource === NANOBANANA_SOURCE ? 'nanobanana' : 'other';
  }

  /** An image of a NanoBanana task in scope, by id. */
  async findImage(scope: NanobananaScope, imageId: string): Promise<MediaAssetRecord> {
    const { repository } = this.deps;
    const asset = IMAGE_ID.test(imageId) ? await repository.findImage(imageId) : null;
    if (!asset?.task_id || !(await repository.tasksInScope(scope, [asset.task_id])).length)
      throw new NanobananaNotFoundError('图片不存在');
    return asset;
  }

  /**
   * Deletes an image (file, thumbnail, row) and decrements its task's completedCount. Only the
   * caller whose DELETE removed the row decrements, so concurrent deletes of one image count once,
   * and the decrement is one conditional UPDATE (`completed_count > 0`), so it never goes below 0.
   * (Two single statements rather than a transaction: SQLite serialises them without a write lock
   * held across round trips.)
   */
  async deleteImage(scope: NanobananaScope, imageId: string): Promise<void> {
    const asset = await this.findImage(scope, imageId);
    if (!(await this.deps.repository.deleteImage(asset.id))) throw new NanobananaNotFoundError('图片不存在');
    await this.deps.repository.decrementCompleted(asset.task_id!);
    await this.deps.tasksChanged?.([asset.task_id!]);
    await deleteStoredFiles(this.deps.storage, this.deps.logger, [asset.storage_key, asset.thumbnail_key]);
  }

  /** Validates an export request: every id must be an image in scope; names are unique in the ZIP. */
  async exportEntries(scope: NanobananaScope, imageIds: string[]): Promise<ExportEntry[]> {
    const ids = [...new Set(imageIds)];
    if (ids.length === 0 || ids.some((id) => !IMAGE_ID.test(id)))
      throw new NanobananaValidationError('参数错误');
    const { repository } = this.deps;
    const assets = await repository.findImages(ids);
    const visible = new Set(
      (
        await repository.tasksInScope(scope, [
          ...new Set(assets.map((asset) => asset.task_id!).filter(Boolean)),
        ])
      ).map((task) => task.id),
    );
    const byId = new Map(
      assets.filter((asset) => visible.has(asset.task_id!)).map((asset) => [asset.id, asset]),
    );
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw new NanobananaNotFoundError(`图片不存在: ${missing.slice(0, 5).join(', ')}`);
    return ids.map((id) => {
      const asset = byId.get(id)!;
      return { name: `${id}.${asset.storage_key.split('.').pop()}`, storageKey: asset.storage_key };
    });
  }
}
