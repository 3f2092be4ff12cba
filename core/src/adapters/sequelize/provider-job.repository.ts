import { Op, UniqueConstraintError } from 'sequelize';
import {
  ProviderJobExistsError,
  type ProviderJobRecord,
  type ProviderJobRepository,
} from '../../generation/engine/repositories.js';
import type { AnimeModels, ProviderJobRow } from './anime.models.js';

type JobValues = Partial<Omit<ProviderJobRecord, 'task_id'>>;

/** Asynchronous providers' upstream tasks on Sequelize (`provider_jobs`): every claim is one conditional UPDATE. */
export class SequelizeProviderJobRepository implements ProviderJobRepository {
  constructor(private readonly models: Pick<AnimeModels, 'ProviderJob'>) {}

  private get table() {
    return this.models.ProviderJob;
  }

  find(taskId: string): Promise<ProviderJobRecord | null> {
    return this.table.findByPk(taskId);
  }

  findByUpstream(provider: string, upstreamId: string): Promise<ProviderJobRecord | null> {
    return this.table.findOne({ where: { provider, upstream_id: upstreamId } });
  }

  async create(job: Parameters<ProviderJobRepository['create']>[0]): Promise<void> {
    try {
      await this.table.create(job);
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw new ProviderJobExistsError(error);
      throw error;
    }
  }

  async moveFrom(taskId: string, state: string, values: JobValues, updatedBefore?: Date): Promise<boolean> {
    const [changed] = await this.table.update(values, {
      where: {
        task_id: taskId,
        state,
        ...(updatedBefore ? { updated_at: { [Op.lt]: updatedBefore } } : {}),
      },
    });
    return changed > 0;
  }

  async claim(taskId: string, values: JobValues, staleBefore: Date): Promise<boolean> {
    const [changed] = await this.table.update(values, {
      where: {
        task_id: taskId,
        [Op.or]: [{ state: 'running' }, { state: 'finishing', updated_at: { [Op.lt]: staleBefore } }],
      },
    });
    return changed > 0;
  }

  async write(job: ProviderJobRecord, values: JobValues): Promise<void> {
    await (job as ProviderJobRow).update(values);
  }
}
