import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, loadConfig, startWorker, type Core } from '@dreamloom/core';
import { createServer, type DreamloomServer } from '@dreamloom/server';
import { api } from './support/clients.js';
import { member, waitForEnd } from './support/anime.js';
import { createBatch, png, waitForTask } from './support/nanobanana/helpers.js';
import { readZipEntries } from './support/nanobanana/zip.js';
import { startS3Server, type TestS3Server } from './support/s3-server.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * Servers and workers on separate machines (issue 14): each process has its own DATA_DIR, as on
 * its own disk, and all share one S3 bucket (a real S3-protocol server). Whatever one process
 * stored, every other one serves or uses: outputs written by the worker are fetched from the
 * server that did not take the request, a 004 reference image uploaded to server A reaches the
 * worker, and a delete through server B removes the objects.
 */
describe.each(['sqlite', 'mariadb'] as const)('two servers and a worker sharing one bucket (%s)', (db) => {
  let s3: TestS3Server;
  let system: RunningSystem;
  let serverB: DreamloomServer;
  let urlB: string;
  let coreB: Core;
  let workerCore: Core;
  const dirs: string[] = [];
  const prefix = `cluster-${db}`;
  const ownDataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dreamloom-node-'));
    dirs.push(dir);
    return dir;
  };
  /** Files under a DATA_DIR's media folder: there must be none when the bucket is the store. */
  const localMedia = (dir: string) => {
    try {
      return readdirSync(path.join(dir, 'media'), { recursive: true });
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    s3 = await startS3Server();
    // Server A (and the database, Redis prefix and sandbox) without a worker of its own.
    system = await startSystem({
      db,
      worker: false,
      env: { ...s3.env(prefix), NANOBANANA_ANONYMOUS: 'true' },
    });
    coreB = createCore(loadConfig({ ...system.env, DATA_DIR: ownDataDir() }));
    serverB = await createServer(coreB);
    urlB = (await serverB.listen(0, '127.0.0.1')).url;
    workerCore = createCore(loadConfig({ ...system.env, DATA_DIR: ownDataDir() }));
    await startWorker(workerCore);
  });
  afterAll(async () => {
    await workerCore?.close();
    await serverB?.close();
    await coreB?.close();
    await system?.stop();
    await s3?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves 004 outputs written by the worker from the server that did not take the request', async () => {
    const created = await createBatch(system.baseUrl, { prompt: 'a lighthouse at dusk', count: 2 });
    expect(created.status).toBe(200);
    const done = await waitForTask(system.baseUrl, created.body.data.id);
    expect(done.status).toBe('completed');
    expect(done.images).toHaveLength(2);
    for (const image of done.images as { id: string; filePath: string }[]) {
      const fromA = await fetch(`${system.baseUrl}${image.filePath}`);
      const fromB = await fetch(`${urlB}${image.filePath}`);
      expect(fromB.status, image.filePath).toBe(200);
      expect(fromB.headers.get('content-type')).toBe('image/png');
      expect(fromB.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await fromB.arrayBuffer())).toEqual(Buffer.from(await fromA.arrayBuffer()));
      expect((await fetch(`${urlB}/api/v1/images/${image.id}`)).status).toBe(200);
      const download = await fetch(`${urlB}/api/v1/images/${image.id}/download`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toMatch(/^attachment/);
    }
    const zip = await fetch(`${urlB}/api/v1/images/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imageIds: done.images.map((image: { id: string }) => image.id) }),
    });
    expect(zip.status).toBe(200);
    const entries = readZipEntries(Buffer.from(await zip.arrayBuffer()));
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry.data.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The files are objects in the bucket, on no process's disk.
    expect(await s3.listKeys(`${prefix}/tasks/${done.id}/`)).toEqual([
      `${prefix}/tasks/${done.id}/0.png`,
      `${prefix}/tasks/${done.id}/1.png`,
    ]);
    for (const dir of [system.config.DATA_DIR, ...dirs]) expect(localMedia(dir)).toEqual([]);
  });

  it('serves 000 anime outputs from the other server, with HEAD and ranges', async () => {
    const { headers } = await member(system, `cluster-${db}`);
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { gen_type: 'anime', prompt: 'a fox spirit under cherry blossoms', batch_size: 2 },
    });
    expect(created.status).toBe(200);
    const taskId: string = created.body.data.generation_uuid;
    expect((await waitForEnd(system, taskId, headers)).status).toBe('completed');
    const outputs = await system.core.models.MediaAsset.findAll({ where: { task_id: taskId } });
    expect(outputs).toHaveLength(2);
    for (const output of outputs) {
      const url = `${urlB}/media/${output.storage_key}`;
      const whole = await fetch(url);
      expect(whole.status).toBe(200);
      expect(Number(whole.headers.get('content-length'))).toBe(output.size_bytes);
      expect((await whole.arrayBuffer()).byteLength).toBe(output.size_bytes);
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(output.mime);
      const range = await fetch(url, { headers: { range: 'bytes=8-15' } });
      expect(range.status).toBe(206);
      expect(range.headers.get('content-range')).toBe(`bytes 8-15/${output.size_bytes}`);
      expect((await range.arrayBuffer()).byteLength).toBe(8);
      if (output.thumbnail_key)
        expect((await fetch(`${urlB}/media/${output.thumbnail_key}`)).status).toBe(200);
    }
  });

  it('a 004 reference image uploaded to server A is used by the worker, and server B deletes it all', async () => {
    const form = new FormData();
    for (const [key, value] of Object.entries({
      prompt: 'the same office, in watercolor',
      model: 'gemini-3-pro-image-preview',
      count: '1',
      apiKey: 'AIzaSy-cluster-refs',
    }))
      form.append(key, value);
    form.append('refImages', new Blob([await png(64, 64, '#ff0000')], { type: 'image/png' }), 'office.png');
    const response = await fetch(`${system.baseUrl}/api/v1/generate/batch-with-images`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(200);
    const { id } = ((await response.json()) as { data: { id: string } }).data;
    const done = await waitForTask(system.baseUrl, id);
    // Before the shared store this failed on the worker with `File not found`.
    expect(done.errorMessage || null).toBeNull();
    expect(done.status).toBe('completed');
    expect(await s3.listKeys(`${prefix}/nanobanana/refs/${id}/`)).toHaveLength(1);
    expect(await s3.listKeys(`${prefix}/tasks/${id}/`)).toHaveLength(1);

    const deleted = await api(urlB, 'DELETE', `/api/v1/history/${id}`);
    expect(deleted.status).toBe(200);
    expect(await s3.listKeys(`${prefix}/nanobanana/refs/${id}/`)).toEqual([]);
    expect(await s3.listKeys(`${prefix}/tasks/${id}/`)).toEqual([]);
    expect((await fetch(`${system.baseUrl}${done.images[0].filePath}`)).status).toBe(404);
  });
});
