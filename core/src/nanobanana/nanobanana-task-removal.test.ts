import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logger.js';
import { NanobananaTaskRemoval } from './nanobanana-task-removal.js';
import { immediateUnitOfWork } from './testing/immediate-unit-of-work.js';
import { InMemoryBlobStorage } from './testing/in-memory-blob-storage.js';
import { InMemoryNanobananaRepository } from './testing/in-memory-nanobanana.repository.js';
import { InMemorySearchIndex } from './testing/in-memory-search-index.js';

/* Deleting contract 004 tasks on in-memory ports (concurrent stores and both databases: ../../../tests). */

function setup() {
  const repository = new InMemoryNanobananaRepository();
  const searchIndex = new InMemorySearchIndex();
  const storage = new InMemoryBlobStorage();
  const unitOfWork = immediateUnitOfWork();
  const changed: Array<{ taskIds: string[]; owners?: string[] }> = [];
  const removal = new NanobananaTaskRemoval({
    repository,
    searchIndex,
    unitOfWork,
    storage,
    logger: createLogger({ level: 'silent' }),
    tasksChanged: async (taskIds, owners) => void changed.push({ taskIds, owners }),
  });
  const refs = { referenceKeys: ['nanobanana/refs/a/0.png'] };
  repository.addTask({ id: 'a', user_id: 'alice', params: JSON.stringify(refs) });
  repository.addTask({ id: 'b', user_id: 'alice' });
  repository.addTask({ id: 'c', user_id: 'bob' });
  repository.addTask({ id: 'anime', user_id: 'alice', source: 'anime' });
  for (const id of ['a', 'b', 'c']) void searchIndex.add([{ taskId: id, ownerKey: 'x', tokens: ['cat'] }]);
  for (const [id, task_id] of [
    ['1', 'a'],
    ['2', 'b'],
    ['3', 'c'],
  ] as const) {
    const image = repository.addImage({ id, task_id });
    void storage.put(image.storage_key, Buffer.from(id));
    void storage.put(image.thumbnail_key!, Buffer.from(id));
  }
  void storage.put('nanobanana/refs/a/0.png', Buffer.from('ref'));
  return { repository, searchIndex, storage, unitOfWork, changed, removal };
}

describe('NanobananaTaskRemoval', () => {
  it('deletes the tasks in scope with their images, search entries, reference files and outputs, in one transaction', async () => {
    const { repository, searchIndex, storage, unitOfWork, changed, removal } = setup();
    await removal.deleteTasks({ ownerKey: 'alice' }, ['a', 'b', 'c', 'anime', 'a']);
    expect([...repository.tasks.keys()]).toEqual(['c', 'anime']);
    expect([...repository.images.keys()]).toEqual(['3']);
    expect(searchIndex.documents.map((doc) => doc.taskId)).toEqual(['c']);
    expect([...storage.files.keys()].sort()).toEqual(['outputs/3.png', 'thumbs/3.webp']);
    expect(unitOfWork.runs).toBe(1);
    expect(changed).toEqual([{ taskIds: ['a', 'b'], owners: ['alice'] }]);
  });

  it('answers 记录不存在 for a task out of scope and leaves it', async () => {
    const { repository, removal } = setup();
    await expect(removal.deleteTask({ ownerKey: 'alice' }, 'c')).rejects.toMatchObject({
      status: 404,
      message: '记录不存在',
    });
    await removal.deleteTask({ all: true }, 'c');
    expect(repository.tasks.has('c')).toBe(false);
  });

  it('does nothing when no task is in scope', async () => {
    const { unitOfWork, changed, removal } = setup();
    await removal.deleteTasks({ ownerKey: 'carol' }, ['a', 'b']);
    expect(unitOfWork.runs).toBe(0);
    expect(changed).toEqual([]);
  });
});
