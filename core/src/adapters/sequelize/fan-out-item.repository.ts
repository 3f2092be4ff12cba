import { Op, type WhereAttributeHashValue } from 'sequelize';
import type { FanOutItemRecord, FanOutItemRepository } from '../../generation/engine/repositories.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import { sequelizeTransaction } from './unit-of-work.js';
import type { NanobananaModels, TaskItemRow } from './nanobanana.models.js';

type ItemValues = Partial<Omit<FanOutItemRecord, 'task_id' | 'position'>>;

/**
 * Fan-out positions on Sequelize (`generation_task_items`): single conditional statements, no
 * transactions, so SQLite never holds a write lock across round trips while other positions of the
 * task finish.
 */
export class SequelizeFanOutItemRepository implements FanOutItemRepository {
  constructor(private readonly models: Pick<NanobananaModels, 'TaskItem'>) {}

  private get table() {
    return this.models.TaskItem;
  }

  async create(taskId: string, count: number, now: Date, transaction?: TransactionHandle): Promise<void> {
    await this.table.bulkCreate(
      Array.from({ length: count }, (_, position) => ({ task_id: taskId, position, updated_at: now })),
      { transaction: sequelizeTransaction(transaction) },
    );
  }

  find(taskId: string, position: number): Promise<FanOutItemRecord | null> {
    return this.table.findOne({ where: { task_id: taskId, position } });
  }

  list(taskId: string): Promise<FanOutItemRecord[]> {
    return this.table.findAll({ where: { task_id: taskId }, order: [['position', 'ASC']] });
  }

  pending(taskId: string, limit: number): Promise<FanOutItemRecord[]> {
    return this.table.findAll({
      where: { task_id: taskId, status: 'pending' },
      order: [['position', 'ASC']],
      limit,
    });
  }

  async move(
    taskId: string,
    position: number,
    from: readonly string[] | 'not-done',
    values: ItemValues,
  ): Promise<boolean> {
    const status: WhereAttributeHashValue<string> =
      from === 'not-done' ? { [Op.ne]: 'done' } : from.length === 1 ? from[0]! : { [Op.in]: [...from] };
    const [changed] = await this.table.update(values, { where: { task_id: taskId, position, status } });
    return changed > 0;
  }

  async failPending(taskId: string, message: string, now: Date): Promise<void> {
    await this.table.update(
      { status: 'failed', error_message: message, updated_at: now },
      { where: { task_id: taskId, status: 'pending' } },
    );
  }

  async dropFrom(taskId: string, position: number): Promise<void> {
    await this.table.destroy({ where: { task_id: taskId, position: { [Op.gte]: position } } });
  }

  async write(item: FanOutItemRecord, values: ItemValues): Promise<void> {
    await (item as TaskItemRow).update(values);
  }
}
