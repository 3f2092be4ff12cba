import { QueryTypes } from 'sequelize';
import sharp from 'sharp';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { createBatch, png, waitForTask } from './support/nanobanana/helpers.js';
import { readZipEntries } from './support/nanobanana/zip.js';

/** Every endpoint and documented error of contract 004, on both database engines. */
describe.each(['sqlite', 'mariadb'] as const)('NanoBanana contract 004 on %s', (db) => {
  let system: RunningSystem;
  let base: string;

  beforeAll(async () => {
    system = await startSystem({
      db,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        // The limiter has its own test; here every request from 127.0.0.1 must pass.
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
        NANOBANANA_WS_MAX_CONNECTIONS: '2',
      },
    });
    base = system.baseUrl;
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('POST /generate/batch answers the documented shape and runs to completed', async () => {
    const created = await createBatch(base, {
      prompt: '一只可爱的猫咪在花园里玩耍',
      count: 3,
      aspectRatio: '16:9',
      imageSize: '1K',
      options: '{"temperature":0.7,"seed":123}',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ code: 0, message: 'success' });
    const data = created.body.data;
    expect(Object.keys(data).sort()).toEqual(
      [
        'completedCount',
        'createdAt',
        'errorMessage',
        'id',
        'images',
        'model',
        'options',
        'prompt',
        'status',
        'totalCount',
        'updatedAt',
      ].sort(),
    );
    expect(data).toMatchObject({
      prompt: '一只可爱的猫咪在花园里玩耍',
      model: 'gemini-2.5-flash-image',
      totalCount: 3,
      completedCount: 0,
      status: 'processing',
      options: '{"temperature":0.7,"seed":123}',
      errorMessage: '',
      images: [],
    });
    expect(data.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(data.createdAt).toISOString()).toBe(data.createdAt);
    const done = await waitForTask(base, data.id);
    expect(done).toMatchObject({ status: 'completed', completedCount: 3, totalCount: 3, errorMessage: '' });
    expect(done.images).toHaveLength(3);
    for (const image of done.images) {
      expect(Object.keys(image).sort()).toEqual(
        [
          'createdAt',
          'fileSize',
          'filePath',
          'height',
          'id',
          'mimeType',
          'taskId',
          'thumbnailPath',
          'width',
        ].sort(),
      );
      expect(image).toMatchObject({ taskId: data.id, mimeType: 'image/png' });
      expect(image.width).toBeGreaterThan(image.height); // 16:9
      const thumbnail = await fetch(`${base}${image.thumbnailPath}`);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toMatch(/^image\//);
      const thumb = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      expect(thumb.width).toBeLessThanOrEqual(image.width);
      expect(thumb.width! / thumb.height!).toBeCloseTo(image.width / image.height, 1);
    }
  });

  it.each([
    [{ count: 0 }, '生成数量必须在 1-100 张之间'],
    [{ count: 101 }, '生成数量必须在 1-100 张之间'],
    [{ count: 2.5 }, '生成数量必须在 1-100 张之间'],
    [{ prompt: '' }, '请输入提示词'],
    [{ apiKey: undefined }, '请提供 apiKey'],
    [{ aspectRatio: '2:3' }, 'aspectRatio 仅支持 1:1, 3:4, 4:3, 9:16, 16:9'],
    [{ imageSize: '8K' }, 'imageSize 仅支持 1K, 2K, 4K'],
    [{ imageSize: '1k' }, 'imageSize 仅支持 1K, 2K, 4K'],
    [{ options: '{temperature:0.7' }, '请求参数有误，请检查后重试'],
    [{ options: '{"temperature":"hot"}' }, '请求参数有误，请检查后重试'],
    [{ options: '{"maxTokens":3}' }, '请求参数有误，请检查后重试'],
    [{ apiBase: 'ftp://proxy' }, 'apiBase 必须是 http(s) 地址'],
  ])('POST /generate/batch %j → 400 %s', async (patch, message) => {
    const answer = await createBatch(base, { prompt: '测试', ...patch });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(400);
    expect(answer.body.message).toContain(message);
    expect(Object.keys(answer.body).sort()).toEqual(['code', 'message']);
  });

  it('POST /generate/batch-with-images takes 1–10 reference images checked by content', async () => {
    const form = new FormData();
    form.append('prompt', '根据这些参考图生成一张类似风格的办公室合影');
    form.append('model', 'gemini-3-pro-image-preview');
    form.append('count', '2');
    form.append('apiKey', 'AIzaSy-test-key-refs');
    form.append('aspectRatio', '1:1');
    form.append('imageSize', '2K');
    form.append('refImages', new Blob([await png(64, 64, '#ff0000')], { type: 'image/png' }), 'style1.png');
    form.append('refImages', new Blob([await png(32, 48, '#00ff00')], { type: 'image/png' }), 'style2.jpg');
    const response = await fetch(`${base}/api/v1/generate/batch-with-images`, { method: 'POST', body: form });
    const body = (await response.json()) as { code: number; data: { id: string; totalCount: number } };
    expect(response.status).toBe(200);
    expect(body.code).toBe(0);
    expect(body.data.totalCount).toBe(2);
    const done = await waitForTask(base, body.data.id);
    expect(done.status).toBe('completed');
    expect(done.images).toHaveLength(2);
    expect(done.images[0].width).toBe(done.images[0].height);

    const bad = new FormData();
    for (const [key, value] of Object.entries({
      prompt: 'x',
      model: 'gemini-3-pro-image-preview',
      count: '1',
      apiKey: 'k',
    }))
      bad.append(key, value);
    bad.append('refImages', new Blob(['not an image at all'], { type: 'image/png' }), 'fake.png');
    const rejected = await fetch(`${base}/api/v1/generate/batch-with-images`, { method: 'POST', body: bad });
    expect(rejected.status).toBe(400);
    expect(await rejected.json()).toEqual({ code: 400, message: '请求参数有误，请检查后重试' });

    const tooMany = new FormData();
    for (const [key, value] of Object.entries({
      prompt: 'x',
      model: 'gemini-3-pro-image-preview',
      count: '1',
      apiKey: 'k',
    }))
      tooMany.append(key, value);
    const one = await png(8, 8);
    for (let index = 0; index < 11; index += 1)
      tooMany.append('refImages', new Blob([one], { type: 'image/png' }), `${index}.png`);
    const refused = await fetch(`${base}/api/v1/generate/batch-with-images`, {
      method: 'POST',
      body: tooMany,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain('请求参数有误，请检查后重试');

    const badCount = new FormData();
    for (const [key, value] of Object.entries({ prompt: 'x', model: 'm', count: 'abc', apiKey: 'k' }))
      badCount.append(key, value);
    const countRefused = await fetch(`${base}/api/v1/generate/batch-with-images`, {
      method: 'POST',
      body: badCount,
    });
    expect(countRefused.status).toBe(400);
    const json = await api(base, 'POST', '/api/v1/generate/batch-with-images', { body: { prompt: 'x' } });
    expect(json.status).toBe(400);
    expect(json.body.message).toContain('请求参数有误，请检查后重试');
  });

  it("reads a member's partial batch as completed through contract 001's status (its four statuses only)", async () => {
    const key = `AIzaSy-partial-member-${db}`;
    system.sandbox.state.injectFault({ provider: 'gemini', credential: key, kind: 'image-safety', count: 1 });
    const member = botHeaders(system.botToken, 'telegram', `partial-${db}`);
    const created = await createBatch(
      base,
      { prompt: 'partial for a member', count: 3, apiKey: key },
      member,
    );
    expect(created.status).toBe(200);
    const settled = await waitForTask(base, created.body.data.id, member);
    expect(settled.status).toBe('partial');
    const status = await api(base, 'GET', `/api/generation/status/${created.body.data.id}`, {
      headers: member,
    });
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('completed');
    expect(status.body.results).toHaveLength(2);
  });

  it('settles partial when some positions fail and failed when all do, with errorMessage', async () => {
    const key = `AIzaSy-partial-${db}`;
    system.sandbox.state.injectFault({ provider: 'gemini', credential: key, kind: 'image-safety', count: 2 });
    const created = await createBatch(base, { prompt: 'partial run', count: 5, apiKey: key });
    const partial = await waitForTask(base, created.body.data.id);
    expect(partial.status).toBe('partial');
    expect(partial.completedCount).toBe(3);
    expect(partial.images).toHaveLength(3);
    expect(partial.errorMessage).toContain('2/5');
    expect(partial.errorMessage).toContain('IMAGE_SAFETY');

    const invalid = `AIzaSy-invalid-${db}`;
    system.sandbox.state.setGeminiKey(invalid, 'invalid');
    const doomed = await createBatch(base, { prompt: 'all fail', count: 10, apiKey: invalid });
    const failed = await waitForTask(base, doomed.body.data.id);
    expect(failed.status).toBe('failed');
    expect(failed.completedCount).toBe(0);
    expect(failed.errorMessage).toContain('10/10');
    expect(failed.errorMessage).toContain('API key rejected');
    // A dead caller key stops the fan-out: at most the first window (4) reached Gemini, not 10.
    expect(system.sandbox.state.counters.count('gemini', invalid)).toBeLessThanOrEqual(4);
  });

  it('fans count out into parallel sub-jobs, never more than NANOBANANA_TASK_CONCURRENCY (4) at once', async () => {
    const key = `AIzaSy-fanout-${db}`;
    system.sandbox.state.updateSettings({ latencyMs: 150 });
    try {
      const created = await createBatch(base, { prompt: 'fan out', count: 12, apiKey: key });
      const done = await waitForTask(base, created.body.data.id);
      expect(done).toMatchObject({ status: 'completed', completedCount: 12 });
      expect(new Set(done.images.map((image: { id: string }) => image.id)).size).toBe(12);
      const stats = system.sandbox.state.stats();
      // Bounded (never 5+) yet parallel; under a loaded CI the window may not always fill to 4.
      expect(stats.maxConcurrent.gemini?.[key]).toBeLessThanOrEqual(4);
      expect(stats.maxConcurrent.gemini?.[key]).toBeGreaterThanOrEqual(2);
      expect(system.sandbox.state.counters.count('gemini', key)).toBe(12);
    } finally {
      system.sandbox.state.updateSettings({ latencyMs: 30 });
    }
  });

  it('retries a transient 429/503 with the caller key and still completes', async () => {
    const key = `AIzaSy-transient-${db}`;
    system.sandbox.state.injectFault([
      { provider: 'gemini', credential: key, code: 429, count: 1 },
      { provider: 'gemini', credential: key, code: 503, count: 1 },
    ]);
    const created = await createBatch(base, { prompt: 'transient', count: 2, apiKey: key });
    const done = await waitForTask(base, created.body.data.id);
    expect(done.status).toBe('completed');
    expect(done.completedCount).toBe(2);
  });

  it('never keeps the apiKey in plaintext and wipes it when the task ends', async () => {
    const secret = `AIzaSy-very-secret-${db}-${Date.now()}`;
    system.sandbox.state.updateSettings({ latencyMs: 300 });
    try {
      const created = await createBatch(base, { prompt: 'secret keeper', count: 2, apiKey: secret });
      const taskId = created.body.data.id as string;
      const { sequelize } = system.core;
      const dump = async () => {
        const rows: unknown[] = [];
        for (const table of [
          'generation_tasks',
          'generation_task_items',
          'generation_task_credentials',
          'nanobanana_tasks',
        ])
          rows.push(...(await sequelize.query(`SELECT * FROM ${table}`, { type: QueryTypes.SELECT })));
        return JSON.stringify(rows);
      };
      const running = await dump();
      expect(running).not.toContain(secret);
      const sealed = await system.core.nanobanana.models.TaskCredential.findByPk(taskId);
      expect(sealed?.secret_enc).toMatch(/^v1:/);
      expect(system.core.secrets.open(sealed!.secret_enc)).toContain(secret);
      await waitForTask(base, taskId);
      const after = await system.core.nanobanana.models.TaskCredential.findAll({
        where: { task_id: taskId },
      });
      expect(after).toHaveLength(0);
      expect(await dump()).not.toContain(secret);
      expect(JSON.stringify(await api(base, 'GET', `/api/v1/history/${taskId}`))).not.toContain(secret);
    } finally {
      system.sandbox.state.updateSettings({ latencyMs: 30 });
    }
  });

  it('GET /generate/status/:taskId and /history/:id answer 404 with the documented messages', async () => {
    const missing = '550e8400-e29b-41d4-a716-446655440000';
    expect(await api(base, 'GET', `/api/v1/generate/status/${missing}`)).toMatchObject({
      status: 404,
      body: { code: 404, message: '任务不存在' },
    });
    expect(await api(base, 'GET', `/api/v1/history/${missing}`)).toMatchObject({
      status: 404,
      body: { code: 404, message: '记录不存在' },
    });
  });

  it('GET /history pages newest first; DELETE /history/:id and /history/batch remove tasks with files', async () => {
    const ids: string[] = [];
    for (const prompt of ['历史一', '历史二', '历史三']) {
      const created = await createBatch(base, { prompt, count: 1 });
      ids.push(created.body.data.id);
      await waitForTask(base, created.body.data.id);
    }
    const page1 = await api(base, 'GET', '/api/v1/history?page=1&pageSize=2');
    expect(page1.status).toBe(200);
    expect(page1.body.code).toBe(0);
    expect(page1.body.data.page).toBe(1);
    expect(page1.body.data.list).toHaveLength(2);
    expect(page1.body.data.list[0].id).toBe(ids[2]);
    expect(page1.body.data.list[1].id).toBe(ids[1]);
    const total = page1.body.data.total as number;
    const defaults = await api(base, 'GET', '/api/v1/history');
    expect(defaults.body.data.list.length).toBe(Math.min(10, total));
    const page2 = await api(base, 'GET', '/api/v1/history?page=2&pageSize=2');
    expect(page2.body.data.list[0].id).toBe(ids[0]);

    const detail = await api(base, 'GET', `/api/v1/history/${ids[0]}`);
    const file = detail.body.data.images[0].filePath as string;
    expect((await fetch(`${base}${file}`)).status).toBe(200);

    expect(await api(base, 'DELETE', `/api/v1/history/${ids[0]}`)).toMatchObject({
      status: 200,
      body: { code: 0, message: 'success', data: null },
    });
    expect((await api(base, 'GET', `/api/v1/history/${ids[0]}`)).status).toBe(404);
    expect((await fetch(`${base}${file}`)).status).toBe(404);

    expect(
      await api(base, 'DELETE', '/api/v1/history/batch', { body: { ids: [ids[1], ids[2]] } }),
    ).toMatchObject({
      status: 200,
      body: { code: 0, message: 'success', data: null },
    });
    expect((await api(base, 'GET', `/api/v1/history/${ids[2]}`)).status).toBe(404);
    expect((await api(base, 'GET', '/api/v1/history')).body.data.total).toBe(total - 3);
    expect(await api(base, 'DELETE', '/api/v1/history/batch', { body: { ids: 'nope' } })).toMatchObject({
      status: 400,
      body: { code: 400 },
    });
    expect((await api(base, 'DELETE', '/api/v1/history/batch', { body: {} })).body.message).toContain(
      '参数错误',
    );
  });

  it('GET /history/search needs a keyword and answers the list shape plus pageSize and keyword', async () => {
    const created = await createBatch(base, { prompt: '一个穿着红色衣服的女孩站在森林里', count: 1 });
    await waitForTask(base, created.body.data.id);
    expect(await api(base, 'GET', '/api/v1/history/search')).toMatchObject({
      status: 400,
      body: { code: 400, message: '请输入搜索关键词' },
    });
    expect((await api(base, 'GET', '/api/v1/history/search?keyword=%20')).status).toBe(400);
    const found = await api(
      base,
      'GET',
      `/api/v1/history/search?keyword=${encodeURIComponent('女孩')}&page=1&pageSize=20`,
    );
    expect(found.status).toBe(200);
    expect(found.body.data).toMatchObject({ total: 1, page: 1, pageSize: 20, keyword: '女孩' });
    expect(found.body.data.list[0]).toMatchObject({ id: created.body.data.id, status: 'completed' });
    expect(found.body.data.list[0].images).toHaveLength(1);
  });

  it('images: GET original, /download, DELETE decrements completedCount, 404s as JSON', async () => {
    const created = await createBatch(base, { prompt: 'image routes', count: 2, aspectRatio: '3:4' });
    const task = await waitForTask(base, created.body.data.id);
    const [first, second] = task.images;
    const original = await fetch(`${base}/api/v1/images/${first.id}`);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(Number(original.headers.get('content-length'))).toBe(first.fileSize);
    const download = await fetch(`${base}/api/v1/images/${first.id}/download`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename=${first.id}.png`);
    expect(download.headers.get('content-type')).toBe('image/png');

    expect(await api(base, 'DELETE', `/api/v1/images/${first.id}`)).toMatchObject({
      status: 200,
      body: { code: 0, message: 'success', data: null },
    });
    const after = await api(base, 'GET', `/api/v1/generate/status/${task.id}`);
    expect(after.body.data.completedCount).toBe(1);
    expect(after.body.data.images.map((image: { id: string }) => image.id)).toEqual([second.id]);
    expect((await fetch(`${base}${first.filePath}`)).status).toBe(404);
    expect((await fetch(`${base}${first.thumbnailPath}`)).status).toBe(404);
    for (const path of [
      `/api/v1/images/${first.id}`,
      `/api/v1/images/${first.id}/download`,
      '/api/v1/images/123',
    ]) {
      expect(await api(base, 'GET', path)).toMatchObject({
        status: 404,
        body: { code: 404, message: '图片不存在' },
      });
    }
    expect(await api(base, 'DELETE', `/api/v1/images/${first.id}`)).toMatchObject({
      status: 404,
      body: { code: 404 },
    });
  });

  it('POST /images/export streams a ZIP; bad input is JSON 400; a missing file is text/plain 500', async () => {
    const created = await createBatch(base, { prompt: 'export me', count: 3 });
    const task = await waitForTask(base, created.body.data.id);
    const ids = task.images.map((image: { id: string }) => image.id);
    const response = await fetch(`${base}/api/v1/images/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imageIds: ids }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=images.zip');
    const entries = readZipEntries(Buffer.from(await response.arrayBuffer()));
    expect(entries.map((entry) => entry.name)).toEqual(ids.map((id: string) => `${id}.png`));
    expect(entries[0]!.data.length).toBe(task.images[0].fileSize);

    for (const body of [{}, { imageIds: [] }, { imageIds: 'x' }]) {
      expect(await api(base, 'POST', '/api/v1/images/export', { body })).toMatchObject({
        status: 400,
        body: { code: 400, message: expect.stringContaining('参数错误') },
      });
    }
    expect(
      (await api(base, 'POST', '/api/v1/images/export', { body: { imageIds: ['999999'] } })).status,
    ).toBe(404);

    const victim = task.images[1];
    await system.core.storage.delete(victim.filePath.replace(/^\/media\//, ''));
    const broken = await fetch(`${base}/api/v1/images/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imageIds: ids }),
    });
    expect(broken.status).toBe(500);
    expect(broken.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await broken.text()).toMatch(/^导出失败: /);
  });

  it('GET /health answers the documented body', async () => {
    const health = await api(base, 'GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', message: '服务运行正常' });
  });

  it('WebSocket: unknown task is refused, a settled task reports complete at once, past the cap → 1013', async () => {
    const wsBase = base.replace(/^http/, 'ws');
    const unknown = new WebSocket(`${wsBase}/api/v1/ws/generate/550e8400-e29b-41d4-a716-446655440000`);
    unknown.on('error', () => undefined);
    const refused = await new Promise<number>((resolve) =>
      unknown.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(refused).toBe(404);
    unknown.terminate();

    const created = await createBatch(base, { prompt: 'settled socket', count: 1 });
    await waitForTask(base, created.body.data.id);
    const late = new WebSocket(`${wsBase}/api/v1/ws/generate/${created.body.data.id}`);
    const message = await new Promise<Record<string, unknown>>((resolve) =>
      late.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    expect(message).toMatchObject({
      type: 'complete',
      completedCount: 1,
      totalCount: 1,
      latestImage: null,
      message: '任务完成: 成功 1, 失败 0',
    });

    // Hold the two allowed sockets open on a slow task; the third is closed with 1013.
    system.sandbox.state.updateSettings({ latencyMs: 2000 });
    try {
      const slow = await createBatch(base, { prompt: 'slow socket', count: 1 });
      const url = `${wsBase}/api/v1/ws/generate/${slow.body.data.id}`;
      const open = async () => {
        const socket = new WebSocket(url);
        await new Promise((resolve) => socket.once('open', resolve));
        return socket;
      };
      const held = [await open(), await open()];
      const third = new WebSocket(url);
      const code = await new Promise<number>((resolve) =>
        third.once('close', (closeCode) => resolve(closeCode)),
      );
      expect(code).toBe(1013);
      for (const socket of held) socket.close();
    } finally {
      system.sandbox.state.updateSettings({ latencyMs: 30 });
    }
  });
});
