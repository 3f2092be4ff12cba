import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';

/** Foundation API behaviour on the embedded default (SQLite): envelopes, auth, health, docs, accounts. */
describe('foundation API (SQLite)', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('reports health in contract 004’s shape with database and Redis checks', async () => {
    const health = await api(system.baseUrl, 'GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'ok',
      message: '服务运行正常',
      checks: { database: true, redis: true },
    });
    expect(health.headers.get('x-request-id')).toBeTruthy();
  });

  it('health is never rate limited: 60 probes in a burst all answer 200 (the 004 budget is 20)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => api(system.baseUrl, 'GET', '/api/v1/health')),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  });

  it('health answers 503 within its timeout when Redis stops answering, and 200 again after', async () => {
    const redis = system.core.redis;
    const ping = redis.ping;
    // A Redis that accepts the command and never replies (as when paused or partitioned).
    redis.ping = (() => new Promise<never>(() => undefined)) as typeof redis.ping;
    try {
      const started = Date.now();
      const health = await api(system.baseUrl, 'GET', '/api/v1/health');
      const elapsed = Date.now() - started;
      expect(health.status).toBe(503);
      expect(health.body).toEqual({
        status: 'error',
        message: '服务不可用',
        checks: { database: true, redis: false },
      });
      expect(elapsed).toBeGreaterThanOrEqual(system.config.HEALTH_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(system.config.HEALTH_TIMEOUT_MS + 2000);
    } finally {
      redis.ping = ping;
    }
    expect((await api(system.baseUrl, 'GET', '/api/v1/health')).status).toBe(200);
  });

  it('answers unauthenticated requests in each family’s error envelope', async () => {
    const anime = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      body: { gen_type: 'anime', prompt: 'x' },
    });
    expect(anime.status).toBe(401);
    expect(anime.body).toEqual({
      success: false,
      error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
    });
    const jimeng = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list');
    expect(jimeng.status).toBe(401);
    expect(jimeng.body).toEqual({ code: 401, message: 'Authentication required' });
    const forged = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', {
      token: 'dls_not-a-real-token',
    });
    expect(forged.body).toEqual({ code: 401, message: 'Invalid or expired token' });
    const badBot = await api(
      system.baseUrl,
      'GET',
      '/api/generation/status/00000000-0000-4000-8000-000000000000',
      {
        headers: botHeaders('wrong-bot-token-123456', 'discord', '1'),
      },
    );
    expect(badBot.status).toBe(401);
    expect(badBot.body.error.code).toBe('UNAUTHORIZED');
  });

  it('turns malformed and invalid input into 400s in the envelope, changing nothing', async () => {
    const member = botHeaders(system.botToken, 'discord', '5150');
    const before = await system.core.models.GenerationTask.count();
    const malformed = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member,
      body: '{"gen_type": "anime", "prompt": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.success).toBe(false);
    const badRatio = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member,
      body: { gen_type: 'anime', prompt: 'a cat', aspect_ratio: '5:1' },
    });
    expect(badRatio.status).toBe(400);
    expect(badRatio.body.error.code).toBe('VALIDATION_ERROR');
    expect(badRatio.body.error.message).toMatch(/aspect_ratio/);
    const privateAsMember = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member,
      body: { gen_type: 'anime', prompt: 'a cat', visibility_level: 'private' },
    });
    expect(privateAsMember.status).toBe(403);
    const notUuid = await api(system.baseUrl, 'GET', '/api/generation/status/not-a-uuid', {
      headers: member,
    });
    expect(notUuid.status).toBe(400);
    expect(await system.core.models.GenerationTask.count()).toBe(before);
    const unknownRoute = await api(system.baseUrl, 'GET', '/api/v1/jimeng/nothing-here', {
      token: system.admin.token,
    });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body).toEqual({ code: 404, message: 'Route not found' });
  });

  it('logs staff in and out, refusing wrong passwords', async () => {
    const wrong = await api(system.baseUrl, 'POST', '/api/v1/staff/auth/login', {
      body: { username: 'admin', password: 'nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ code: 401, message: 'Invalid username or password' });
    const login = await api(system.baseUrl, 'POST', '/api/v1/staff/auth/login', {
      body: { username: 'admin', password: system.admin.password },
    });
    expect(login.body.code).toBe(200);
    expect(login.body.data.user).toMatchObject({ username: 'admin', role: 'admin' });
    const token = login.body.data.token;
    expect((await api(system.baseUrl, 'GET', '/api/v1/staff/auth/me', { token })).body.data.user.role).toBe(
      'admin',
    );
    await api(system.baseUrl, 'POST', '/api/v1/staff/auth/logout', { token });
    expect((await api(system.baseUrl, 'GET', '/api/v1/staff/auth/me', { token })).status).toBe(401);
  });

  it('lists the seeded Jimeng accounts with masked session ids, encrypted at rest', async () => {
    const list = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list?page=1&size=20', {
      token: system.admin.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.code).toBe(200);
    expect(list.body.data.total).toBe(3);
    const hk = list.body.data.list.find(
      (account: any) => account.jimeng_account === 'demo-hk-1@dreamloom.local',
    );
    expect(hk).toMatchObject({
      jimeng_account_type: 1,
      site_type: 'hk',
      account_status: 0,
      session_id: 'hk-s…cccc',
    });
    expect(hk.quota_reset_time).toMatch(/^\d{4}-\d{2}-\d{2} 00:30:00$/);
    const raw = JSON.stringify(list.body);
    expect(raw).not.toContain('sandbox-session-0003');
    const rows = await system.core.models.ProviderAccount.findAll();
    for (const row of rows) expect(row.secret_enc.startsWith('v1:')).toBe(true);
  });

  it('keeps members out of staff routes', async () => {
    const member = botHeaders(system.botToken, 'telegram', '777');
    const list = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', { headers: member });
    expect(list.status).toBe(403);
    expect(list.body).toEqual({ code: 403, message: 'Permission denied' });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const docs = await api(system.baseUrl, 'GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toBe('3.1.0');
    const createTask = docs.body.paths['/api/anime-generation/create-task'].post;
    expect(createTask.requestBody.content['application/json'].schema.properties.aspect_ratio.enum).toContain(
      '16:9',
    );
    expect(docs.body.paths['/api/generation/status/{uuid}'].get.parameters[0]).toMatchObject({
      name: 'uuid',
      in: 'path',
    });
    expect(docs.body.paths['/api/v1/jimeng/accounts/list'].get).toBeTruthy();
  });
});
