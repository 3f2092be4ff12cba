import { Op, type CreationAttributes } from 'sequelize';
import type { Clock } from '../../ports/clock.port.js';
import type {
  GenerationTaskRecord,
  GenerationTaskRepository,
  TaskChanges,
} from '../../generation/engine/repositories.js';
import type { NewTaskRecord, TaskAccess, TaskStore } from '../../generation/task-store.js';
import { GroupCommit } from '../../shared/group-commit.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import { insertRows } from './bulk-row.writer.js';
import type { DreamloomModels, GenerationTaskRow, MediaAssetRow } from './models.js';
import { sequelizeTransaction } from './unit-of-work.js';

type TaskValues = Partial<CreationAttributes<GenerationTaskRow>>;

interface PendingWrite {
  task: GenerationTaskRow;
  values: TaskValues;
  /** Stamp `started_at` with the write's time (a task's first start). */
  stampStart: boolean;
  /** Stamp `finished_at` with the write's time (an end state). */
  stampFinish: boolean;
}

/** Records this repository hands out are model instances; the engine hands them back. */
const row = (task: GenerationTaskRecord) => task as unknown as GenerationTaskRow;

/**
 * Generation task rows on Sequelize (`generation_tasks`, and `media_assets` for the outputs): the
 * engine's port (engine/repositories.ts) and GenerationService's (generation/task-store.ts), one
 * adapter per table.
 *
 * The engine's side serves a worker running hundreds of tasks at once. A large batch makes every one of them
 * take the same steps within milliseconds (start, lease, finish); done one row at a time that is
 * hundreds of statements queued behind each other before the first provider call, so those steps
 * are group-committed: reads of one burst are one `WHERE id IN (…)` (callers reading the same task
 * in one burst share its instance), and writes of one burst with equal values are one
 * `UPDATE … WHERE id IN (…)`. Each caller still waits until its own row is read or written.
 */
export class SequelizeGenerationTaskRepository implements GenerationTaskRepository, TaskStore {
  private readonly reads = new GroupCommit<'read', string, Map<string, GenerationTaskRow>>((_, ids) =>
    this.readGroup(ids),
  );
  private readonly writes = new GroupCommit<'write', PendingWrite, void>((_, writes) =>
    this.writeGroup(writes),
  );

  constructor(
    private readonly deps: { models: Pick<DreamloomModels, 'GenerationTask' | 'MediaAsset'>; clock: Clock },
  ) {}

  async find(taskId: string): Promise<GenerationTaskRecord | null> {
    return (await this.reads.add('read', taskId)).get(taskId) ?? null;
  }

  findUnfinished(taskIds: string[]): Promise<GenerationTaskRecord[]> {
    return this.deps.models.GenerationTask.findAll({
      where: { id: taskIds, status: ['pending', 'processing'] },
    });
  }

  async update(
    task: GenerationTaskRecord,
    values: TaskChanges,
    options: { stampStart?: boolean; stampFinish?: boolean } = {},
  ): Promise<void> {
    await this.writes.add('write', {
      task: row(task),
      values,
      stampStart: options.stampStart ?? false,
      stampFinish: options.stampFinish ?? false,
    });
  }

  async write(task: GenerationTaskRecord, values: TaskChanges): Promise<void> {
    await row(task).update(values);
  }

  async updateWhileIn(taskId: string, statuses: readonly string[], values: TaskChanges): Promise<boolean> {
    const [changed] = await this.deps.models.GenerationTask.update(values, {
      where: {
        id: taskId,
        status: statuses.length === 1 ? statuses[0]! : { [Op.in]: [...statuses] },
      },
    });
    return changed > 0;
  }

  async updateById(taskId: string, values: TaskChanges): Promise<void> {
    await this.deps.models.GenerationTask.update(values, { where: { id: taskId } });
  }

  async incrementCompleted(taskId: string): Promise<void> {
    await this.deps.models.GenerationTask.increment('completed_count', { by: 1, where: { id: taskId } });
  }

  async completedCount(taskId: string): Promise<number | null> {
    const task = await this.deps.models.GenerationTask.findByPk(taskId, { attributes: ['completed_count'] });
    return task ? task.completed_count : null;
  }

  async exists(taskId: string): Promise<boolean> {
    return !!(await this.deps.models.GenerationTask.findByPk(taskId, { attributes: ['id'] }));
  }

  countOutputs(taskId: string): Promise<number> {
    return this.deps.models.MediaAsset.count({ where: { task_id: taskId } });
  }

  outputs(taskId: string): Promise<MediaAssetRow[]> {
    return this.deps.models.MediaAsset.findAll({ where: { task_id: taskId }, order: [['position', 'ASC']] });
  }

  // ---- GenerationService's port (task-store.ts): creation and status reads, no batching ----

  create(task: NewTaskRecord): Promise<GenerationTaskRecord> {
    return this.deps.models.GenerationTask.create(task as CreationAttributes<GenerationTaskRow>);
  }

  createMany(tasks: NewTaskRecord[], transaction?: TransactionHandle): Promise<GenerationTaskRecord[]> {
    return this.deps.models.GenerationTask.bulkCreate(tasks as Array<CreationAttributes<GenerationTaskRow>>, {
      transaction: sequelizeTransaction(transaction),
    });
  }

  insertMany(tasks: NewTaskRecord[], transaction?: TransactionHandle): Promise<void> {
    return insertRows(
      this.deps.models.GenerationTask,
      tasks as Array<CreationAttributes<GenerationTaskRow>>,
      {
        transaction: sequelizeTransaction(transaction),
      },
    );
  }

  load(taskId: string): Promise<GenerationTaskRecord | null> {
    return this.deps.models.GenerationTask.findByPk(taskId);
  }

  findAccess(taskId: string): Promise<TaskAccess | null> {
    return this.deps.models.GenerationTask.findByPk(taskId, {
      attributes: ['id', 'user_id', 'source', 'visibility'],
    });
  }

  findOwnByPrefix(userId: string, prefix: string, limit: number): Promise<GenerationTaskRecord[]> {
    return this.deps.models.GenerationTask.findAll({
      where: { user_id: userId, id: { [Op.startsWith]: prefix } },
      order: [['created_at', 'DESC']],
      limit,
    });
  }

  unfinished(olderThan: Date, limit: number): Promise<GenerationTaskRecord[]> {
    return this.deps.models.GenerationTask.findAll({
      where: { status: { [Op.in]: ['pending', 'processing'] }, updated_at: { [Op.lt]: olderThan } },
      order: [['created_at', 'ASC']],
      limit,
    });
  }

  private async readGroup(ids: string[]): Promise<Map<string, GenerationTaskRow>> {
    const rows = await this.deps.models.GenerationTask.findAll({ where: { id: [...new Set(ids)] } });
    return new Map(rows.map((each) => [each.id, each]));
  }

  private async writeGroup(writes: PendingWrite[]): Promise<void> {
    const now = this.deps.clock.now();
    // A task with two writes in one group keeps them in order: its later values win in one merged write.
    const byTask = new Map<string, { task: GenerationTaskRow; values: TaskValues }>();
    for (const write of writes) {
      const values: TaskValues = { ...write.values, updated_at: now };
      if (write.stampStart) values.started_at = now;
      if (write.stampFinish) values.finished_at = now;
      const merged = byTask.get(write.task.id);
      if (merged) Object.assign(merged.values, values);
      else byTask.set(write.task.id, { task: write.task, values });
    }
    const groups = new Map<string, { values: TaskValues; tasks: GenerationTaskRow[] }>();
    for (const { task, values } of byTask.values()) {
      const key = JSON.stringify(values);
      const group = groups.get(key);
      if (group) group.tasks.push(task);
      else groups.set(key, { values, tasks: [task] });
    }
    await Promise.all(
      [...groups.values()].map(({ values, tasks }) =>
        this.deps.models.GenerationTask.update(values, { where: { id: tasks.map((task) => task.id) } }),
      ),
    );
    for (const { task, values } of byTask.values()) {
      task.set(values);
      // Written already: a later save of this instance must not write them again.
      for (const key of Object.keys(values)) task.changed(key as keyof GenerationTaskRow, false);
    }
  }
}
