import { Op } from 'sequelize';
import type { GenerationTaskRecord } from '../../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type {
  NanobananaRepository,
  NewNanobananaTask,
  RemovedTaskParts,
} from '../../nanobanana/nanobanana.repository.js';
import { NANOBANANA_SOURCE, type NanobananaScope } from '../../nanobanana/nanobanana.types.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { DreamloomModels } from './models.js';
import type { NanobananaModels } from './nanobanana.models.js';
import { sequelizeTransaction } from './unit-of-work.js';

type Models = Pick<DreamloomModels, 'User' | 'GenerationTask' | 'MediaAsset'> &
  Pick<NanobananaModels, 'NanobananaTask' | 'TaskItem' | 'TaskCredential'>;

/** The scope's filter on `generation_tasks.user_id` (admins see every workspace). */
const ownerFilter = (scope: NanobananaScope) => ('ownerKey' in scope ? { user_id: scope.ownerKey } : {});

/**
 * Contract 004's port on Sequelize. The statements are the ones NanobananaService ran itself before
 * the port: same filters, orders, column lists, locking read and plain (`raw`) reads for the pages.
 */
export class SequelizeNanobananaRepository implements NanobananaRepository {
  constructor(private readonly models: Models) {}

  async ensureUser(user: { id: string; displayName: string; now: Date }): Promise<void> {
    await this.models.User.findOrCreate({
      where: { id: user.id },
      defaults: {
        id: user.id,
        username: null,
        display_name: user.displayName,
        role: 'user',
        created_at: user.now,
        updated_at: user.now,
      },
    });
  }

  async createTask(task: NewNanobananaTask, handle: TransactionHandle): Promise<GenerationTaskRecord> {
    const transaction = sequelizeTransaction(handle);
    // A model instance: the engine's task repository writes to it (FanOutRuns.submit).
    const created = await this.models.GenerationTask.create(
      {
        id: task.id,
        user_id: task.ownerKey,
        source: NANOBANANA_SOURCE,
        kind: 'image',
        provider: 'gemini',
        model: task.model,
        prompt: task.prompt,
        params: task.params,
        requested_count: task.requestedCount,
        status: 'processing',
        visibility: 'private',
        started_at: task.now,
        created_at: task.now,
        updated_at: task.now,
      },
      { transaction },
    );
    await this.models.NanobananaTask.create(
      {
        task_id: task.id,
        owner_key: task.ownerKey,
        options: task.options,
        search_text: task.searchText,
        created_at: task.now,
      },
      { transaction },
    );
    return created;
  }

  async tasksInScope(scope: NanobananaScope, ids: string[]): Promise<GenerationTaskRecord[]> {
    if (ids.length === 0) return [];
    // Plain rows (no model instances): status polls and history pages read them.
    const tasks = (await this.models.GenerationTask.findAll({
      where: { id: { [Op.in]: ids }, source: NANOBANANA_SOURCE, ...ownerFilter(scope) },
      raw: true,
    })) as unknown as GenerationTaskRecord[];
    const byId = new Map(tasks.map((task) => [task.id, task]));
    return ids.map((id) => byId.get(id)).filter((task): task is GenerationTaskRecord => !!task);
  }

  async historyPage(
    scope: NanobananaScope,
    limit: number,
    offset: number,
  ): Promise<{ taskIds: string[]; total: number }> {
    const { rows, count } = await this.models.NanobananaTask.findAndCountAll({
      where: 'ownerKey' in scope ? { owner_key: scope.ownerKey } : {},
      order: [
        ['created_at', 'DESC'],
        ['task_id', 'DESC'],
      ],
      limit,
      offset,
    });
    return { taskIds: rows.map((row) => row.task_id), total: count };
  }

  async imagesOfTasks(taskIds: string[]): Promise<MediaAssetRecord[]> {
    // Plain rows: building a model instance per image was most of a history page's CPU.
    return (await this.models.MediaAsset.findAll({
      where: { task_id: { [Op.in]: taskIds } },
      order: [['position', 'ASC']],
      raw: true,
    })) as unknown as MediaAssetRecord[];
  }

  async optionsOfTasks(taskIds: string[]): Promise<Map<string, string>> {
    const views = (await this.models.NanobananaTask.findAll({
      attributes: ['task_id', 'options'],
      where: { task_id: { [Op.in]: taskIds } },
      raw: true,
    })) as unknown as Array<{ task_id: string; options: string }>;
    return new Map(views.map((view) => [view.task_id, view.options]));
  }

  async removeTaskParts(taskIds: string[], handle: TransactionHandle): Promise<RemovedTaskParts> {
    const transaction = sequelizeTransaction(handle)!;
    const { MediaAsset, GenerationTask, TaskItem, TaskCredential } = this.models;
    const where = { task_id: { [Op.in]: taskIds } };
    await TaskItem.destroy({ where, transaction });
    await TaskCredential.destroy({ where, transaction });
    const images = await MediaAsset.findAll({ where, transaction, lock: transaction.LOCK.UPDATE });
    const tasks = await GenerationTask.findAll({
      where: { id: { [Op.in]: taskIds } },
      attributes: ['id', 'user_id', 'params'],
      transaction,
    });
    await MediaAsset.destroy({ where, transaction });
    return { images, tasks };
  }

  async removeTasks(taskIds: string[], handle: TransactionHandle): Promise<void> {
    const transaction = sequelizeTransaction(handle);
    await this.models.NanobananaTask.destroy({ where: { task_id: { [Op.in]: taskIds } }, transaction });
    await this.models.GenerationTask.destroy({ where: { id: { [Op.in]: taskIds } }, transaction });
  }

  findImage(imageId: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findByPk(imageId);
  }

  findImages(imageIds: string[]): Promise<MediaAssetRecord[]> {
    return this.models.MediaAsset.findAll({ where: { id: { [Op.in]: imageIds } } });
  }

  async imageOrigin(imageId: string): Promise<{ taskId: string | null; taskSource: string | null } | null> {
    const image = await this.models.MediaAsset.findByPk(imageId, { attributes: ['id', 'task_id'] });
    if (!image) return null;
    if (!image.task_id) return { taskId: null, taskSource: null };
    const task = await this.models.GenerationTask.findByPk(image.task_id, { attributes: ['source'] });
    return { taskId: image.task_id, taskSource: task?.source ?? null };
  }

  async deleteImage(imageId: string): Promise<boolean> {
    return (await this.models.MediaAsset.destroy({ where: { id: imageId } })) === 1;
  }

  async decrementCompleted(taskId: string): Promise<void> {
    await this.models.GenerationTask.decrement('completed_count', {
      by: 1,
      where: { id: taskId, completed_count: { [Op.gt]: 0 } },
    });
  }
}
