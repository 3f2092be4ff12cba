import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, latencyMs: 1, imageScale: 0.02, log: () => undefined });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.state.reset());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function jimengImageUrl(token = 'files-test'): Promise<string> {
  const response = await fetch(`${sandbox.url}/jimeng/v1/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ prompt: 'expiring' }),
  });
  return ((await response.json()) as { data: Array<{ url: string }> }).data[0].url;
}

describe('generated files', () => {
  it('serves signed Jimeng URLs until they expire, then 403 like a CDN', async () => {
    const url = await jimengImageUrl();
    expect((await fetch(url)).status).toBe(200);
    expect((await control('POST', '/clock/advance', { seconds: 2 * 24 * 3600 })).json.offsetSeconds).toBe(
      172800,
    );
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('refuses tampered or unsigned Jimeng URLs and unknown files', async () => {
    const url = new URL(await jimengImageUrl());
    url.searchParams.set('x-expires', String(Number(url.searchParams.get('x-expires')) + 3600));
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(`${url.origin}${url.pathname}`)).status).toBe(403);
    expect((await fetch(`${sandbox.url}/files/ffffffffffffffffffffffffffffffff.png`)).status).toBe(404);
  });

  it('honours a short TTL setting and byte ranges', async () => {
    sandbox.state.updateSettings({ jimengUrlTtlSec: 60 });
    const url = await jimengImageUrl();
    const partial = await fetch(url, { headers: { range: 'bytes=0-7' } });
    expect(partial.status).toBe(206);
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    sandbox.state.advanceClock(61);
    expect((await fetch(url)).status).toBe(403);
  });
});

describe('control API', () => {
  it('sets Jimeng session state and reads it back', async () => {
    const set = await control('POST', '/jimeng/tokens', { token: 'HK-ctl', points: 3, concurrencyLimit: 2 });
    expect(set.json).toMatchObject({
      token: 'hk-ctl',
      region: 'hk',
      giftCredit: 3,
      concurrencyLimit: 2,
      live: true,
    });
    expect((await control('GET', '/jimeng/tokens/hk-ctl')).json.giftCredit).toBe(3);
    expect((await control('POST', '/jimeng/tokens', { token: 'x', bogus: 1 })).status).toBe(400);
  });

  it('sets kie credits and API key states', async () => {
    expect((await control('POST', '/kie/keys', { key: 'k1', credits: 7 })).json).toMatchObject({
      key: 'k1',
      credits: 7,
    });
    const credit = await fetch(`${sandbox.url}/kie/api/v1/chat/credit`, {
      headers: { authorization: 'Bearer k1' },
    });
    expect(((await credit.json()) as { data: number }).data).toBe(7);
    expect((await control('POST', '/openai/keys', { key: 'sk-x', status: 'quota-exhausted' })).status).toBe(
      200,
    );
    expect((await control('POST', '/gemini/keys', { key: 'g', status: 'nope' })).status).toBe(400);
  });

  it('injects, lists and clears faults; reports stats; resets everything', async () => {
    const injected = await control('POST', '/faults', { provider: 'openai', code: 429, count: 2 });
    expect(injected.json).toMatchObject([{ provider: 'openai', code: 429, remaining: 2 }]);
    expect((await control('GET', '/faults')).json).toHaveLength(1);
    await control('DELETE', '/faults');
    expect((await control('GET', '/faults')).json).toHaveLength(0);

    await jimengImageUrl('stats-token');
    const stats = (await control('GET', '/stats')).json;
    expect(stats.calls.jimeng['stats-token']['images/generations']).toBe(1);
    expect(stats.maxConcurrent.jimeng['stats-token']).toBe(1);

    await control('POST', '/settings', { latencyMs: 3 });
    await control('POST', '/reset');
    expect((await control('GET', '/settings')).json.latencyMs).toBe(1);
    expect((await control('GET', '/stats')).json.calls).toEqual({});
  });

  it('sets latency at runtime and validates settings', async () => {
    expect((await control('POST', '/latency', { latencyMs: 120 })).json).toEqual({ latencyMs: 120 });
    const started = Date.now();
    await jimengImageUrl();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect((await control('POST', '/settings', { imageScale: -1 })).status).toBe(400);
    expect((await control('POST', '/settings', { nope: 1 })).status).toBe(400);
  });

  it('answers unknown provider paths in that provider’s style', async () => {
    const openai = await fetch(`${sandbox.url}/openai/v1/nope`);
    expect(openai.status).toBe(404);
    expect(await openai.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const jimeng = await fetch(`${sandbox.url}/jimeng/v1/nope`, { method: 'POST' });
    expect(jimeng.status).toBe(200);
    expect(await jimeng.json()).toMatchObject({ code: -1000, data: null });
    const badJson = await fetch(`${sandbox.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
  });
});
