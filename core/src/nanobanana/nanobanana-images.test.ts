import { describe, expect, it } from 'vitest';
import { createLogger } from '../shared/logger.js';
import { NanobananaImages } from './nanobanana-images.js';
import { InMemoryBlobStorage } from './testing/in-memory-blob-storage.js';
import { InMemoryNanobananaRepository } from './testing/in-memory-nanobanana.repository.js';

/* Contract 004's image use cases on the in-memory repository (the HTTP contract is in ../../../tests). */

function setup() {
  const repository = new InMemoryNanobananaRepository();
  const storage = new InMemoryBlobStorage();
  const changed: string[][] = [];
  const images = new NanobananaImages({
    repository,
    storage,
    logger: createLogger({ level: 'silent' }),
    tasksChanged: async (taskIds) => void changed.push(taskIds),
  });
  repository.addTask({ id: 'mine', user_id: 'alice', completed_count: 2 });
  repository.addTask({ id: 'theirs', user_id: 'bob' });
  repository.addTask({ id: 'anime', user_id: 'alice', source: 'anime' });
  for (const [id, task_id] of [
    ['11', 'mine'],
    ['12', 'mine'],
    ['21', 'theirs'],
    ['31', 'anime'],
    ['41', null],
  ] as const) {
    const image = repository.addImage({ id, task_id, storage_key: `out/${id}.png` });
    void storage.put(image.storage_key, Buffer.from(id));
    void storage.put(image.thumbnail_key!, Buffer.from(id));
  }
  return { repository, storage, images, changed, alice: { ownerKey: 'alice' } };
}

describe('NanobananaImages', () => {
  it('tells a NanoBanana image from another contract’s media and from nothing', async () => {
    const { images } = setup();
    expect(await images.imageOwner('11')).toBe('nanobanana');
    expect(await images.imageOwner('31')).toBe('other');
    expect(await images.imageOwner('41')).toBe('other');
    expect(await images.imageOwner('99')).toBe('none');
  });

  it('finds only images of NanoBanana tasks in scope, by numeric id', async () => {
    const { images, alice } = setup();
    expect((await images.findImage(alice, '11')).id).toBe('11');
    expect((await images.findImage({ all: true }, '21')).id).toBe('21');
    for (const id of ['21', '31', '41', '99', 'abc'])
      await expect(images.findImage(alice, id)).rejects.toMatchObject({ status: 404, message: '图片不存在' });
  });

  it('deletes an image with its files and counts it off its task once, never below zero', async () => {
    const { repository, storage, images, changed, alice } = setup();
    const results = await Promise.allSettled([
      images.deleteImage(alice, '11'),
      images.deleteImage(alice, '11'),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(repository.tasks.get('mine')!.completed_count).toBe(1);
    expect(await storage.exists('out/11.png')).toBe(false);
    expect(await storage.exists('thumbs/11.webp')).toBe(false);
    expect(changed).toEqual([['mine']]);
    repository.tasks.get('mine')!.completed_count = 0;
    await images.deleteImage(alice, '12');
    expect(repository.tasks.get('mine')!.completed_count).toBe(0);
  });

  it('still deletes the row when a file cannot be removed (logged, not fatal)', async () => {
    const { repository, storage, images, alice } = setup();
    storage.failDeletes = true;
    await images.deleteImage(alice, '11');
    expect(repository.images.has('11')).toBe(false);
  });

  it('exports images in scope in the order asked, once each, named by id', async () => {
    const { images, alice } = setup();
    expect(await images.exportEntries(alice, ['12', '11', '12'])).toEqual([
      { name: '12.png', storageKey: 'out/12.png' },
      { name: '11.png', storageKey: 'out/11.png' },
    ]);
  });

  it('refuses an export with no ids or a malformed one (400), or an image out of scope (404)', async () => {
    const { images, alice } = setup();
    for (const ids of [[], ['11', 'x1']])
      await expect(images.exportEntries(alice, ids)).rejects.toMatchObject({
        status: 400,
        message: '参数错误',
      });
    await expect(images.exportEntries(alice, ['11', '21', '31', '99'])).rejects.toMatchObject({
      status: 404,
      message: '图片不存在: 21, 31, 99',
    });
  });
});
