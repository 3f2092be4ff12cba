import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';

/** DELETE /api/v1/images/:id under concurrency: completedCount never below 0, always = images left. */
describe.each(['sqlite', 'mariadb'] as const)('NanoBanana concurrent image deletes on %s', (db) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      db,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const counts = async (taskId: string) => {
    const status = await api(system.baseUrl, 'GET', `/api/v1/generate/status/${taskId}`);
    return {
      completed: status.body.data.completedCount as number,
      images: status.body.data.images.length as number,
    };
  };

  it('deleting the same images many times at once counts each image once', async () => {
    const created = await createBatch(system.baseUrl, { prompt: 'delete race', count: 6 });
    const task = await waitForTask(system.baseUrl, created.body.data.id);
    expect(task.completedCount).toBe(6);
    const victims = task.images.slice(0, 4).map((image: { id: string }) => image.id);
    // Each of four images deleted five times, all at once.
    const answers = await Promise.all(
      victims.flatMap((id: string) =>
        Array.from({ length: 5 }, () => api(system.baseUrl, 'DELETE', `/api/v1/images/${id}`)),
      ),
    );
    const succeeded = answers.filter((answer) => answer.status === 200).length;
    expect(succeeded).toBeGreaterThanOrEqual(4);
    for (const answer of answers) expect([200, 404]).toContain(answer.status);
    expect(await counts(task.id)).toEqual({ completed: 2, images: 2 });
  });

  it('deleting every image at once ends at 0, never below, even when the count was already drifted low', async () => {
    const created = await createBatch(system.baseUrl, { prompt: 'delete all', count: 5 });
    const task = await waitForTask(system.baseUrl, created.body.data.id);
    // A count already lower than the images (e.g. an old bug): deletes must stop at 0.
    await system.core.models.GenerationTask.update({ completed_count: 2 }, { where: { id: task.id } });
    await Promise.all(
      task.images.flatMap((image: { id: string }) => [
        api(system.baseUrl, 'DELETE', `/api/v1/images/${image.id}`),
        api(system.baseUrl, 'DELETE', `/api/v1/images/${image.id}`),
      ]),
    );
    expect(await counts(task.id)).toEqual({ completed: 0, images: 0 });
    const rows = await system.core.models.MediaAsset.count({ where: { task_id: task.id } });
    expect(rows).toBe(0);
  });
});
