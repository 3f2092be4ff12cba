import { Op } from 'sequelize';
import type {
  AnimeTaskCount,
  AnimeTaskFilter,
  AnimeTaskRepository,
  CancelFacts,
} from '../../anime/anime-task.repository.js';
import type { GenerationTaskRecord } from '../../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { DreamloomModels } from './models.js';
import { sequelizeTransaction } from './unit-of-work.js';

/**
 * The anime reads of `generation_tasks` and `media_assets` on Sequelize, with the queries the anime
 * services ran themselves before the port. History pages and their outputs are read as plain rows:
 * a model instance per task and per image was most of a history page's CPU (bench:api).
 */
export class SequelizeAnimeTaskRepository implements AnimeTaskRepository {
  constructor(private readonly models: Pick<DreamloomModels, 'GenerationTask' | 'MediaAsset'>) {}

  task(taskId: string): Promise<GenerationTaskRecord | null> {
    return this.models.GenerationTask.findByPk(taskId);
  }

  cancelFacts(taskId: string): Promise<CancelFacts | null> {
    return this.models.GenerationTask.findByPk(taskId, {
      attributes: ['id', 'user_id', 'provider', 'status'],
    });
  }

  async status(taskId: string): Promise<string | null> {
    const task = await this.models.GenerationTask.findByPk(taskId, { attributes: ['status'] });
    return task?.status ?? null;
  }

  async page(
    filter: AnimeTaskFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: GenerationTaskRecord[]; total: number }> {
    const { rows, count } = (await this.models.GenerationTask.findAndCountAll({
      where: where(filter),
      order: [
        ['created_at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
      offset,
      raw: true,
    })) as unknown as { rows: GenerationTaskRecord[]; count: number };
    return { rows, total: count };
  }

  async outputsOf(taskIds: string[]): Promise<MediaAssetRecord[]> {
    if (!taskIds.length) return [];
    return (await this.models.MediaAsset.findAll({
      where: { task_id: { [Op.in]: taskIds } },
      order: [['position', 'ASC']],
      raw: true,
    })) as unknown as MediaAssetRecord[];
  }

  outputs(taskId: string): Promise<MediaAssetRecord[]> {
    return this.models.MediaAsset.findAll({ where: { task_id: taskId }, order: [['position', 'ASC']] });
  }

  asset(id: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findByPk(id);
  }

  assetByKey(key: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({
      where: { [Op.or]: [{ storage_key: key }, { thumbnail_key: key }] },
    });
  }

  assetByStorageKey(key: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({ where: { storage_key: key } });
  }

  count(filter: AnimeTaskCount, transaction?: TransactionHandle): Promise<number> {
    return this.models.GenerationTask.count({
      where: {
        ...where(filter),
        ...(filter.createdSince ? { created_at: { [Op.gte]: filter.createdSince } } : {}),
        ...(filter.notStatuses ? { status: { [Op.notIn]: [...filter.notStatuses] } } : {}),
      },
      transaction: sequelizeTransaction(transaction),
    });
  }

  async makePrivate(taskId: string, transaction: TransactionHandle): Promise<void> {
    await this.models.GenerationTask.update(
      { visibility: 'private' },
      { where: { id: taskId }, transaction: sequelizeTransaction(transaction) },
    );
  }
}

function where(filter: AnimeTaskFilter) {
  return {
    ...(filter.userId !== undefined ? { user_id: filter.userId } : {}),
    source: { [Op.in]: [...filter.sources] },
    ...(filter.statuses ? { status: { [Op.in]: [...filter.statuses] } } : {}),
  };
}
