import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';

/** Contract 004's rate limit (10/s, burst 20, per IP, in Redis) and Dreamloom's auth switch. */
describe('NanoBanana rate limit and auth switch (NANOBANANA_ANONYMOUS=false)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    // The requests below name their client in X-Forwarded-For as a reverse proxy would.
    system = await startSystem({ db: 'sqlite', env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('the 21st request inside one second from one IP gets 429; another IP is unaffected', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 21 }, () =>
        api(system.baseUrl, 'GET', '/api/v1/history', { headers: from('10.1.0.1') }),
      ),
    );
    const elapsed = performance.now() - started;
    const limited = answers.filter((answer) => answer.status === 429);
    // Passed the limiter (then 401: no token, anonymous access off; health probes are not limited).
    const passed = answers.filter((answer) => answer.status !== 429);
    // The bucket refills one token per 100 ms; within that window exactly the burst passes.
    expect(passed.length).toBeGreaterThanOrEqual(20);
    expect(passed.length).toBeLessThanOrEqual(20 + Math.floor(elapsed / 100));
    if (elapsed < 100) expect(limited).toHaveLength(1);
    // Right after the burst the bucket holds at most the tokens refilled meanwhile.
    const more = await Promise.all(
      Array.from({ length: 5 }, () =>
        api(system.baseUrl, 'GET', '/api/v1/history', { headers: from('10.1.0.1') }),
      ),
    );
    expect(more.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(3);
    for (const answer of [...limited, ...more.filter((each) => each.status === 429)])
      expect(answer.body).toEqual({ code: 429, message: '请求过于频繁,请稍后再试' });

    expect(
      (await api(system.baseUrl, 'GET', '/api/v1/history', { headers: from('10.1.0.2') })).status,
    ).not.toBe(429);
    // The bucket is in Redis: the same IP through another app instance sharing Redis is limited too.
    const key = `${system.config.REDIS_PREFIX}:ratelimit:nanobanana:10.1.0.1`;
    expect(await system.core.redis.exists(key)).toBe(1);
    // Tokens come back at 10 per second.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(
      (await api(system.baseUrl, 'GET', '/api/v1/history', { headers: from('10.1.0.1') })).status,
    ).not.toBe(429);
  });

  it('without a token the contract answers 401 when anonymous access is off', async () => {
    const headers = { 'x-forwarded-for': '10.2.0.1' };
    const created = await createBatch(system.baseUrl, { prompt: 'anonymous?', count: 1 }, headers);
    expect(created.status).toBe(401);
    expect(created.body.code).toBe(401);
    expect((await api(system.baseUrl, 'GET', '/api/v1/history', { headers })).status).toBe(401);
  });

  it('with a token tasks belong to that user: history, status, images and search are theirs alone', async () => {
    const alice = { ...botHeaders(system.botToken, 'telegram', '7001'), 'x-forwarded-for': '10.3.0.1' };
    const bob = { ...botHeaders(system.botToken, 'telegram', '7002'), 'x-forwarded-for': '10.3.0.2' };
    const admin = { authorization: `Bearer ${system.admin.token}`, 'x-forwarded-for': '10.3.0.3' };
    const created = await createBatch(system.baseUrl, { prompt: '爱丽丝的猫', count: 1 }, alice);
    expect(created.status).toBe(200);
    const task = await waitForTask(system.baseUrl, created.body.data.id, alice);
    const imageId = task.images[0].id;

    expect((await api(system.baseUrl, 'GET', '/api/v1/history', { headers: alice })).body.data.total).toBe(1);
    expect((await api(system.baseUrl, 'GET', '/api/v1/history', { headers: bob })).body.data.total).toBe(0);
    expect(
      (await api(system.baseUrl, 'GET', `/api/v1/generate/status/${task.id}`, { headers: bob })).status,
    ).toBe(404);
    expect(
      (await api(system.baseUrl, 'GET', `/api/v1/history/search?keyword=猫`, { headers: bob })).body.data
        .total,
    ).toBe(0);
    expect(
      (await api(system.baseUrl, 'GET', `/api/v1/history/search?keyword=猫`, { headers: alice })).body.data
        .total,
    ).toBe(1);
    expect((await api(system.baseUrl, 'DELETE', `/api/v1/images/${imageId}`, { headers: bob })).status).toBe(
      404,
    );
    expect((await api(system.baseUrl, 'DELETE', `/api/v1/history/${task.id}`, { headers: bob })).status).toBe(
      404,
    );
    expect(
      (await api(system.baseUrl, 'GET', `/api/v1/images/${imageId}/download`, { headers: bob })).status,
    ).toBe(404);
    expect(
      (await api(system.baseUrl, 'GET', `/api/v1/images/${imageId}/download`, { headers: alice })).status,
    ).toBe(200);
    // Admins see every workspace (the admin gallery).
    expect((await api(system.baseUrl, 'GET', `/api/v1/history/${task.id}`, { headers: admin })).status).toBe(
      200,
    );
  });
});
