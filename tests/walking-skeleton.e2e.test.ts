import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders, connectSocket, subscribe } from './support/clients.js';

/**
 * The walking skeleton on the production stack: MariaDB, Redis (BullMQ + pub/sub), the sandbox
 * over HTTP, a real server and a real worker. A member creates an image task, watches it over
 * socket.io, and fetches the stored media.
 */
describe('walking skeleton (MariaDB + Redis + sandbox)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db: 'mariadb' });
    // Large enough (640×360 at 16:9 2k) that the server makes a real thumbnail.
    system.sandbox.state.updateSettings({ imageScale: 0.25 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('runs one image generation end to end with progress over socket.io and stored media', async () => {
    const member = botHeaders(system.botToken, 'telegram', '424242');
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member,
      body: {
        gen_type: 'anime',
        prompt: 'a fox spirit under cherry blossoms',
        aspect_ratio: '16:9',
        batch_size: 2,
      },
    });
    expect(created.status).toBe(200);
    expect(created.body.success).toBe(true);
    expect(created.body.data.status).toBe('pending');
    const taskId: string = created.body.data.generation_uuid;

    const socket = await connectSocket(system.baseUrl, {
      botToken: system.botToken,
      platform: 'telegram',
      platformUserId: '424242',
    });
    const progress: Array<{ progress: number; status: string }> = [];
    socket.on('task.progress', (event) => progress.push(event));
    const done = new Promise<any>((resolve, reject) => {
      socket.once('task.completed', resolve);
      socket.once('task.failed', (event) => reject(new Error(JSON.stringify(event))));
    });
    expect(await subscribe(socket, `task:${taskId}`)).toEqual({ ok: true });
    // Events before the subscription are not replayed, so the status endpoint covers that gap.
    const completed = await Promise.race([
      done,
      (async () => {
        for (;;) {
          const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
            headers: member,
          });
          if (status.body.status === 'completed')
            return { outputs: status.body.results.map((r: any) => ({ url: r.image_url })) };
          if (status.body.status === 'failed') throw new Error(status.body.error_message);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })(),
    ]);
    socket.disconnect();
    expect(completed.outputs).toHaveLength(2);

    const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers: member });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      uuid: taskId,
      status: 'completed',
      error_message: null,
      credits_used: 0,
    });
    expect(status.body.results).toHaveLength(2);

    for (const result of status.body.results) {
      expect(result.image_url.startsWith(`${system.baseUrl}/media/`)).toBe(true);
      const media = await fetch(result.image_url);
      expect(media.status).toBe(200);
      expect(media.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await media.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width! / meta.height!).toBeCloseTo(16 / 9, 1);
      expect(result.width).toBe(meta.width);
      const thumb = await fetch(result.thumbnail_url);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBe(384);
    }

    const rows = await system.core.models.MediaAsset.findAll({ where: { task_id: taskId } });
    expect(rows.map((row) => row.position).sort()).toEqual([0, 1]);
    const task = await system.core.models.GenerationTask.findByPk(taskId);
    expect(task?.status).toBe('completed');
    expect(task?.account_id).toBeTruthy();
    // The sandbox really was called with exactly one session id, through a leased account.
    const account = await system.core.models.ProviderAccount.findByPk(task!.account_id!);
    expect(account?.image_count).toBeGreaterThanOrEqual(1);
    expect(await system.core.pool['deps'].leases.inFlight([account!.id])).toEqual(
      new Map([[account!.id, 0]]),
    );
  });

  it('refuses to let a socket join another user’s task room', async () => {
    const owner = botHeaders(system.botToken, 'discord', '1001');
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: owner,
      body: { gen_type: 'anime', prompt: 'private moonlit garden' },
    });
    const taskId = created.body.data.generation_uuid;
    const stranger = await connectSocket(system.baseUrl, {
      botToken: system.botToken,
      platform: 'discord',
      platformUserId: '2002',
    });
    const answer = await subscribe(stranger, `task:${taskId}`);
    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('FORBIDDEN');
    const unknownRoom = await subscribe(stranger, 'admin:everything');
    expect(unknownRoom.ok).toBe(false);
    stranger.disconnect();
    const peek = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      headers: botHeaders(system.botToken, 'discord', '2002'),
    });
    expect(peek.status).toBe(404);
    expect(peek.body).toEqual({
      success: false,
      error: { code: 'TASK_NOT_FOUND', message: 'Generation not found' },
    });
  });

  it('refuses a socket without credentials', async () => {
    await expect(connectSocket(system.baseUrl, {})).rejects.toThrow(/Authentication required/);
    await expect(connectSocket(system.baseUrl, { token: 'dls_forged' })).rejects.toThrow(
      /Invalid or expired token/,
    );
  });
});
