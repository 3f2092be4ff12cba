import type { FanOutTaskParams } from '../generation/fan-out.types.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Logger } from '../shared/logger.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import { NanobananaNotFoundError } from './nanobanana.errors.js';
import type { NanobananaRepository } from './nanobanana.repository.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import type { NanobananaScope } from './nanobanana.types.js';
import { deleteStoredFiles } from './stored-files.js';

interface Deps {
  repository: NanobananaRepository;
  searchIndex: NanobananaSearchIndex;
  /** The module's unit of work (shared with submit: one SQLite write queue for contract 004). */
  unitOfWork: UnitOfWork;
  storage: BlobStorage;
  logger: Logger;
  /** Deleted tasks reach every node's status and history caches (GenerationService.tasksChanged). */
  tasksChanged?: (taskIds: string[], owners?: string[]) => Promise<void>;
}

/** Deleting contract 004 tasks: one by id, a batch of ids, or a task whose submission failed. */
export class NanobananaTaskRemoval {
  constructor(private readonly deps: Deps) {}

  async deleteTask(scope: NanobananaScope, taskId: string): Promise<void> {
    const [task] = await this.deps.repository.tasksInScope(scope, [taskId]);
    if (!task) throw new NanobananaNotFoundError('记录不存在');
    await this.purge([taskId]);
  }

  /** Deletes the tasks among `taskIds` that the scope may see, all in one transaction. */
  async deleteTasks(scope: NanobananaScope, taskIds: string[]): Promise<void> {
    const tasks = await this.deps.repository.tasksInScope(scope, [...new Set(taskIds)]);
    await this.purge(tasks.map((task) => task.id));
  }

  /**
   * Removes tasks with their search postings, images, items and credentials in one transaction,
   * then their files. A sub-job still storing an output meanwhile cannot leave a file behind:
   *
   * - the images are read with a locking read, so an image row committed before that read is
   *   listed here and its files are deleted below;
   * - an image row inserted after it waits for this transaction (the read's range lock on MySQL,
   *   the database lock on SQLite) and then fails its foreign key, and the media service removes
   *   the files it wrote for it.
   */
  async purge(taskIds: string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const { repository, searchIndex } = this.deps;
    let owners: string[] = [];
    const keys = await this.deps.unitOfWork.run(async (transaction) => {
      const { images, tasks } = await repository.removeTaskParts(taskIds, transaction);
      owners = [...new Set(tasks.map((task) => task.user_id))];
      // The index forgets the tasks before their nanobanana_tasks rows go (the port's order).
      await searchIndex.remove(taskIds, transaction);
      await repository.removeTasks(taskIds, transaction);
      return [
        ...images.flatMap((image) => [image.storage_key, image.thumbnail_key]),
        ...tasks.flatMap((task) => (JSON.parse(task.params) as FanOutTaskParams).referenceKeys ?? []),
      ];
    });
    await this.deps.tasksChanged?.(taskIds, owners);
    await deleteStoredFiles(this.deps.storage, this.deps.logger, [...new Set(keys)]);
  }
}
