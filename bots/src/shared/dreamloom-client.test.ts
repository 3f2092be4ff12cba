import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  DreamloomApiError,
  type DreamloomClient,
  type TaskSnapshot,
} from './dreamloom-client.js';
import { startFakeDreamloomServer, type FakeDreamloomServer } from '../testing/fake-dreamloom-server.js';
import { isPng } from '../testing/png.js';

const user = { platform: 'discord' as const, id: '123456789012345678', username: '夜空 ✨' };

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('DreamloomClient (HTTP + socket.io)', () => {
  let server: FakeDreamloomServer;
  let client: DreamloomClient;

  beforeEach(async () => {
    server = await startFakeDreamloomServer();
    client = createDreamloomClient({
      baseUrl: server.url,
      botToken: server.botToken,
      pollIntervalMs: 50,
      resyncIntervalMs: 60_000,
      socketOptions: { reconnectionDelay: 20, reconnectionDelayMax: 50 },
    });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('creates a task with the bot credential and the platform identity', async () => {
    const created = await client.createAnimeTask(user, {
      prompt: 'a koi pond',
      aspectRatio: '3:4',
      batchSize: 2,
    });
    expect(created.status).toBe('pending');
    const req = server.requests.at(-1);
    expect(req).toMatchObject({
      method: 'POST',
      path: '/api/anime-generation/create-task',
      body: { gen_type: 'anime', prompt: 'a koi pond', aspect_ratio: '3:4', batch_size: 2 },
    });
    expect(req?.headers.authorization).toBe(`Bot ${server.botToken}`);
    expect(req?.headers['x-platform']).toBe('discord');
    expect(req?.headers['x-platform-user-id']).toBe(user.id);
    expect(decodeURIComponent(req?.headers['x-platform-username'] ?? '')).toBe('夜空 ✨');
  });

  it('turns an error envelope into a DreamloomApiError with the server code', async () => {
    server.rejectCreate = { status: 402, code: 'INSUFFICIENT_CREDITS', message: 'Not enough credits' };
    const error = await client.createAnimeTask(user, { prompt: 'p' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreamloomApiError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', message: 'Not enough credits', status: 402 });
    expect((error as DreamloomApiError).expose).toBe(true);
  });

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    const offline = createDreamloomClient({ baseUrl: 'http://127.0.0.1:9', botToken: 'x' });
    await expect(offline.createAnimeTask(user, { prompt: 'p' })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    });
    await offline.close();
  });

  it('maps the status endpoint to a snapshot', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    Object.assign(server.statuses.get(taskId)!, {
      status: 'completed',
      results: [{ image_url: server.mediaUrl('x.png') }],
      credits_used: 3,
    });
    expect(await client.getTaskStatus(user, taskId)).toEqual({
      taskId,
      status: 'completed',
      progress: 100,
      queuePosition: undefined,
      outputs: [{ url: server.mediaUrl('x.png'), width: undefined, height: undefined }],
      error: undefined,
      creditsUsed: 3,
    });
  });

  it('counts queue places from 1: the server says 0 jobs ahead, the member reads #1', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    Object.assign(server.statuses.get(taskId)!, { status: 'pending', queue_position: 0 });
    expect((await client.getTaskStatus(user, taskId)).queuePosition).toBe(1);
    Object.assign(server.statuses.get(taskId)!, { queue_position: 4 });
    expect((await client.getTaskStatus(user, taskId)).queuePosition).toBe(5);
  });

  it('subscribes to the task room as the platform user, reads the status once, then relays room events', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const seen: TaskSnapshot[] = [];
    const watch = client.watchTask(user, taskId, (s) => seen.push(s));

    await waitFor(() => server.subscriptions.find((s) => s.room === `task:${taskId}`));
    expect(server.handshakes[0]).toEqual({
      botToken: server.botToken,
      platform: 'discord',
      platformUserId: user.id,
    });
    expect(server.subscriptions).toEqual([{ room: `task:${taskId}`, ok: true }]);
    await waitFor(() => seen.length >= 1);
    expect(seen[0]).toMatchObject({ taskId, status: 'pending' }); // the catch-up read

    server.publish(taskId, 'task.progress', {
      taskId,
      status: 'processing',
      progress: 40,
      etaSeconds: 9,
      queuePosition: null,
    });
    server.publish(taskId, 'task.completed', {
      taskId,
      status: 'completed',
      outputs: [{ url: server.mediaUrl('a.png'), width: 3, height: 3, mime: 'image/png' }],
    });
    await waitFor(() => seen.find((s) => s.status === 'completed'));
    expect(seen.find((s) => s.status === 'processing')).toEqual({
      taskId,
      status: 'processing',
      progress: 40,
      message: undefined,
      queuePosition: undefined,
      etaSeconds: 9,
    });
    expect(seen.at(-1)).toMatchObject({
      status: 'completed',
      outputs: [{ url: server.mediaUrl('a.png'), width: 3, height: 3, mime: 'image/png' }],
    });
    watch.close();
  });

  it('never shows a job going back: a status read answering after the room events is dropped', async () => {
    // The catch-up read is held until the job has finished by its events, as on a slow network.
    let holdReads = false;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = createDreamloomClient({
      baseUrl: server.url,
      botToken: server.botToken,
      pollIntervalMs: 50,
      resyncIntervalMs: 60_000,
      socketOptions: { reconnectionDelay: 20, reconnectionDelayMax: 50 },
      fetch: async (input, init) => {
        if (holdReads && String(input).includes('/api/generation/status/')) await released;
        return fetch(input, init);
      },
    });
    try {
      const { taskId } = await slow.createAnimeTask(user, { prompt: 'p' });
      holdReads = true;
      const seen: TaskSnapshot[] = [];
      const watch = slow.watchTask(user, taskId, (s) => seen.push(s));
      await waitFor(() => server.subscriptions.find((s) => s.room === `task:${taskId}`));
      server.publish(taskId, 'task.progress', { taskId, status: 'processing', progress: 40 });
      server.publish(taskId, 'task.completed', { taskId, status: 'completed', outputs: [] });
      await waitFor(() => seen.find((s) => s.status === 'completed'));
      release();
      const statusReads = () => server.requests.filter((r) => r.path.startsWith('/api/generation/status/'));
      await waitFor(() => statusReads().length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.map((s) => s.status)).toEqual(['processing', 'completed']);
      watch.close();
    } finally {
      await slow.close();
    }
  });

  it('relays task.failed with its error', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const seen: TaskSnapshot[] = [];
    const watch = client.watchTask(user, taskId, (s) => seen.push(s));
    await waitFor(() => server.subscriptions.length === 1 && seen.length >= 1);
    server.publish(taskId, 'task.failed', {
      taskId,
      status: 'failed',
      error: { code: 'PROVIDER_DOWN', message: 'x' },
    });
    const failed = await waitFor(() => seen.find((s) => s.status === 'failed'));
    expect(failed.error).toEqual({ code: 'PROVIDER_DOWN', message: 'x' });
    watch.close();
  });

  it('relays a cancelled task (task.failed with status cancelled) as failed', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const seen: TaskSnapshot[] = [];
    const watch = client.watchTask(user, taskId, (s) => seen.push(s));
    await waitFor(() => server.subscriptions.length === 1 && seen.length >= 1);
    server.publish(taskId, 'task.failed', {
      taskId,
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'Cancelled' },
    });
    const failed = await waitFor(() => seen.find((s) => s.status === 'failed'));
    expect(failed.error).toEqual({ code: 'CANCELLED', message: 'Cancelled' });
    watch.close();
  });

  it('falls back to polling while the socket is down and re-subscribes when it is back', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const seen: TaskSnapshot[] = [];
    const watch = client.watchTask(user, taskId, (s) => seen.push(s));
    await waitFor(() => server.subscriptions.length === 1);

    server.statuses.get(taskId)!.status = 'processing';
    server.dropSockets();
    await waitFor(() => seen.find((s) => s.status === 'processing'));
    await waitFor(() => server.subscriptions.length >= 2);
    expect(server.subscriptions.every((s) => s.ok && s.room === `task:${taskId}`)).toBe(true);
    watch.close();
  });

  it('polls the status when the server refuses the room', async () => {
    const other = { platform: 'discord' as const, id: '999' };
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const seen: TaskSnapshot[] = [];
    // Another user may not join; the status read is refused too, so nothing is reported.
    const watch = client.watchTask(other, taskId, (s) => seen.push(s));
    await waitFor(() => server.subscriptions.length === 1);
    expect(server.subscriptions[0].ok).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    const reads = server.requests.filter((r) => r.path === `/api/generation/status/${taskId}`);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([]);
    watch.close();
  });

  it('shares one socket per user, leaves rooms it no longer needs, and closes with the last watch', async () => {
    const { taskId } = await client.createAnimeTask(user, { prompt: 'p' });
    const { taskId: otherTaskId } = await client.createAnimeTask(user, { prompt: 'q' });
    const a = client.watchTask(user, taskId, () => undefined);
    const b = client.watchTask(user, otherTaskId, () => undefined);
    const statusReads = () =>
      server.requests.filter((r) => r.path.startsWith('/api/generation/status/')).length;
    await waitFor(() => server.subscriptions.length === 2 && statusReads() === 2);
    expect(server.handshakes).toHaveLength(1); // one socket per platform user
    expect(server.connectedSockets()).toBe(1);
    a.close();
    expect(server.connectedSockets()).toBe(1);
    await waitFor(() => server.unsubscriptions.length === 1);
    expect(server.unsubscriptions).toEqual([`task:${taskId}`]);
    b.close();
    await waitFor(() => server.connectedSockets() === 0);
    const readsAfterClose = server.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(server.requests.length).toBe(readsAfterClose);
  });

  it('downloads media with a usable filename', async () => {
    const file = await client.downloadMedia(server.mediaUrl('out%20put'));
    expect(file.contentType).toBe('image/png');
    expect(file.filename).toBe('out_put.png');
    expect(isPng(file.bytes)).toBe(true);
  });
});
