import { UniqueConstraintError } from 'sequelize';
import { MediaAssetExistsError, type MediaAssetRepository } from '../../media/media-asset.repository.js';
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { DreamloomModels } from './models.js';

/** Stored task outputs on Sequelize (`media_assets`, unique on task_id + position). */
export class SequelizeMediaAssetRepository implements MediaAssetRepository {
  constructor(private readonly models: Pick<DreamloomModels, 'MediaAsset'>) {}

  findOutput(taskId: string, position: number): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({ where: { task_id: taskId, position } });
  }

  async hasOutput(taskId: string, position: number): Promise<boolean> {
    const holder = await this.models.MediaAsset.findOne({
      where: { task_id: taskId, position },
      attributes: ['id'],
    });
    return holder !== null;
  }

  async create(asset: MediaAssetRecord): Promise<MediaAssetRecord> {
    // Not findOrCreate: it opens a transaction, which on SQLite holds the write lock across awaits.
    try {
      return await this.models.MediaAsset.create(asset);
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw new MediaAssetExistsError(error);
      throw error;
    }
  }

  byId(id: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findByPk(id);
  }

  byStorageKey(key: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({ where: { storage_key: key } });
  }

  async hasStorageKey(key: string): Promise<boolean> {
    const holder = await this.models.MediaAsset.findOne({ where: { storage_key: key }, attributes: ['id'] });
    return holder !== null;
  }
}
