import type { TaskCredentialRepository } from '../../generation/engine/repositories.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import { sequelizeTransaction } from './unit-of-work.js';
import type { NanobananaModels } from './nanobanana.models.js';

/** Callers' sealed credentials on Sequelize (`generation_task_credentials`). */
export class SequelizeTaskCredentialRepository implements TaskCredentialRepository {
  constructor(private readonly models: Pick<NanobananaModels, 'TaskCredential'>) {}

  async store(taskId: string, sealed: string, now: Date, transaction?: TransactionHandle): Promise<void> {
    await this.models.TaskCredential.create(
      { task_id: taskId, secret_enc: sealed, created_at: now },
      { transaction: sequelizeTransaction(transaction) },
    );
  }

  async find(taskId: string): Promise<string | null> {
    return (await this.models.TaskCredential.findByPk(taskId))?.secret_enc ?? null;
  }

  async has(taskId: string): Promise<boolean> {
    return (await this.models.TaskCredential.count({ where: { task_id: taskId } })) > 0;
  }

  async remove(taskId: string): Promise<void> {
    await this.models.TaskCredential.destroy({ where: { task_id: taskId } });
  }
}
