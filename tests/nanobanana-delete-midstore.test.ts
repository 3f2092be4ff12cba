import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, startWorker, type BlobStorage, type Core } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { createBatch } from './support/nanobanana/helpers.js';

/**
 * A storage that holds the next write of a task output (`tasks/…`) until the test releases it, so
 * a task can be deleted while its sub-job is storing the image; it records which output files
 * were written and removed since it was armed.
 */
function gatedStorage(inner: BlobStorage) {
  let held: Promise<void> | null = null;
  let reached: (key: string) => void = () => undefined;
  let release: () => void = () => undefined;
  const state = {
    written: new Set<string>(),
    removed: new Set<string>(),
    /** Resolves with the key of the held write. */
    reached: Promise.resolve(''),
    release: () => release(),
    arm() {
      state.written.clear();
      state.removed.clear();
      state.reached = new Promise<string>((resolve) => (reached = resolve));
      held = new Promise<void>((resolve) => (release = resolve));
    },
  };
  const storage: BlobStorage = {
    async put(key, data, contentType) {
      if (key.startsWith('tasks/') && held) {
        const gate = held;
        held = null;
        reached(key);
        await gate;
      }
      await inner.put(key, data, contentType);
      if (key.startsWith('tasks/')) state.written.add(key);
    },
    get: (key) => inner.get(key),
    stream: (key) => inner.stream(key),
    exists: (key) => inner.exists(key),
    async delete(key) {
      await inner.delete(key);
      if (key.startsWith('tasks/')) state.removed.add(key);
    },
  };
  return { storage, state };
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/**
 * Deleting a task while a sub-job is between writing its image and recording it: the files must
 * not outlive the task (the row insert fails on the foreign key and the file is removed).
 */
describe.each(['sqlite', 'mariadb'] as const)('NanoBanana task deleted mid-store on %s', (db) => {
  let system: RunningSystem;
  let worker: Core;
  let gated: ReturnType<typeof gatedStorage>;

  beforeAll(async () => {
    system = await startSystem({
      db,
      worker: false,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
    gated = gatedStorage(system.core.storage);
    worker = createCore(system.config, { storage: gated.storage });
    await startWorker(worker);
  });
  afterAll(async () => {
    await worker?.close();
    await system?.stop();
  });

  const taskFiles = (taskId: string) => {
    const dir = path.join(system.config.DATA_DIR, 'media', 'tasks', taskId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it.each([
    ['DELETE /api/v1/history/:id', (id: string) => api(system.baseUrl, 'DELETE', `/api/v1/history/${id}`)],
    [
      'DELETE /api/v1/history/batch',
      (id: string) => api(system.baseUrl, 'DELETE', '/api/v1/history/batch', { body: { ids: [id] } }),
    ],
  ])('%s leaves no file and no image row behind', async (_name, remove) => {
    gated.state.arm();
    const created = await createBatch(system.baseUrl, { prompt: `mid-store delete ${_name}`, count: 1 });
    expect(created.status).toBe(200);
    const taskId = created.body.data.id as string;
    // The sub-job generated the image and is writing it now.
    expect(await gated.state.reached).toMatch(new RegExp(`^tasks/${taskId}/`));
    const deleted = await remove(taskId);
    expect(deleted.status).toBe(200);
    expect((await api(system.baseUrl, 'GET', `/api/v1/generate/status/${taskId}`)).status).toBe(404);
    gated.state.release();
    // The sub-job writes its file(s), fails to record them, and removes them again.
    await eventually(() => gated.state.written.size > 0);
    expect(gated.state.written.size).toBeGreaterThan(0);
    await eventually(() => [...gated.state.written].every((key) => gated.state.removed.has(key)));
    expect(taskFiles(taskId)).toEqual([]);
    expect(await system.core.models.MediaAsset.count({ where: { task_id: taskId } })).toBe(0);
    expect(await system.core.models.GenerationTask.count({ where: { id: taskId } })).toBe(0);
  });
});
