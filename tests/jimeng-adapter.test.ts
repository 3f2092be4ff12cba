import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JimengGatewayClient, ProviderError } from '@dreamloom/core';
import { startSandbox, type Sandbox } from '@dreamloom/sandbox';

/** The real Jimeng gateway adapter over HTTP against the sandbox's jimeng-api protocol. */
describe('JimengGatewayClient against the sandbox', () => {
  let sandbox: Sandbox;
  let client: JimengGatewayClient;
  const request = { model: 'jimeng-4.5', prompt: 'a paper lantern festival', ratio: '1:1', resolution: '2k' };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, latencyMs: 20, imageScale: 0.0625 });
    client = new JimengGatewayClient({ baseUrl: `${sandbox.url}/jimeng`, timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('generates images and returns their URLs, sending exactly one session id', async () => {
    const assets = await client.generateImages('adapter-session-ok-000001', request);
    expect(assets.length).toBeGreaterThanOrEqual(1);
    for (const asset of assets) expect(asset.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    expect(sandbox.state.callCount('jimeng', 'adapter-session-ok-000001')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [-2000, 'invalid_request'],
    [-2002, 'session_expired'],
    [-2006, 'content_blocked'],
    [-2009, 'out_of_credits'],
    [-1000, 'upstream_error'],
  ])('classifies gateway code %i (HTTP 200 error body) as %s', async (code, kind) => {
    const token = `adapter-fault-${Math.abs(code)}-session`;
    sandbox.state.injectFault({ provider: 'jimeng', credential: token, code });
    const error = await client.generateImages(token, request).catch((thrown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe(kind);
    expect(error.upstreamCode).toBe(code);
  });

  it('treats an expired session as session_expired and spent points as out_of_credits', async () => {
    sandbox.state.setJimengToken('adapter-expired-session-1', { live: false });
    await expect(client.generateImages('adapter-expired-session-1', request)).rejects.toMatchObject({
      kind: 'session_expired',
    });
    expect(await client.checkSession('adapter-expired-session-1')).toBe(false);
    sandbox.state.setJimengToken('adapter-broke-session-1', { points: 0 });
    await expect(client.generateImages('adapter-broke-session-1', request)).rejects.toMatchObject({
      kind: 'out_of_credits',
    });
  });

  it('reads points from /token/points', async () => {
    sandbox.state.setJimengToken('adapter-points-session-1', { points: 42 });
    const points = await client.points('adapter-points-session-1');
    expect(points?.totalCredit).toBe(42);
  });

  it('cancels an in-flight call through its AbortSignal', async () => {
    sandbox.state.injectFault({
      provider: 'jimeng',
      credential: 'adapter-slow-session-1',
      kind: 'slow',
      delayMs: 5000,
    });
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.generateImages('adapter-slow-session-1', request, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('turns a client timeout into a retryable timeout failure', async () => {
    const impatient = new JimengGatewayClient({ baseUrl: `${sandbox.url}/jimeng`, timeoutMs: 150 });
    sandbox.state.injectFault({
      provider: 'jimeng',
      credential: 'adapter-slow-session-2',
      kind: 'slow',
      delayMs: 3000,
    });
    const error = await impatient.generateImages('adapter-slow-session-2', request).catch((thrown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('timeout');
    expect(error.retryElsewhere).toBe(true);
  });
});
