import type { CreationAttributes } from 'sequelize';
import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { Clock } from '../ports/clock.port.js';
import { GroupCommit } from '../shared/group-commit.js';

type TaskValues = Partial<CreationAttributes<GenerationTaskRow>>;

interface PendingWrite {
  task: GenerationTaskRow;
  values: TaskValues;
  /** Stamp `started_at` with the write's time (a task's first start). */
  stampStart: boolean;
  /** Stamp `finished_at` with the write's time (an end state). */
  stampFinish: boolean;
}

interface Deps {
  models: DreamloomModels;
  clock: Clock;
}

/**
 * Task row reads and writes for a worker running hundreds of tasks at once. A large batch makes
 * every one of them take the same steps within milliseconds (start, lease, finish); done one row
 * at a time that is hundreds of statements queued behind each other before the first provider
 * call, so the steps are group-committed: reads of one burst are one `WHERE id IN (…)`, and writes
 * of one burst with equal values are one `UPDATE … WHERE id IN (…)`. Each caller still waits
 * until its own row is read or written.
 */
export class TaskRowBatcher {
  private readonly reads = new GroupCommit<'read', string, Map<string, GenerationTaskRow>>((_, ids) =>
    this.readGroup(ids),
  );
  private readonly writes = new GroupCommit<'write', PendingWrite, void>((_, writes) =>
    this.writeGroup(writes),
  );

  constructor(private readonly deps: Deps) {}

  async find(taskId: string): Promise<GenerationTaskRow | null> {
    return (await this.reads.add('read', taskId)).get(taskId) ?? null;
  }

  /**
   * Writes `values` (and `updated_at`) to the task's row and applies them to the instance.
   * Times that should be equal to the write's own (`started_at`, `finished_at`) are stamped by flags.
   */
  async update(
    task: GenerationTaskRow,
    values: TaskValues,
    options: { stampStart?: boolean; stampFinish?: boolean } = {},
  ): Promise<void> {
    await this.writes.add('write', {
      task,
      values,
      stampStart: options.stampStart ?? false,
      stampFinish: options.stampFinish ?? false,
    });
  }

  private async readGroup(ids: string[]): Promise<Map<string, GenerationTaskRow>> {
    const rows = await this.deps.models.GenerationTask.findAll({ where: { id: [...new Set(ids)] } });
    return new Map(rows.map((row) => [row.id, row]));
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
