import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KieClient, ProviderError, parseKieRecord, signKieCallback } from '@dreamloom/core';
import { startSandbox, type Sandbox } from '@dreamloom/sandbox';

/** The kie.ai adapter over real HTTP against the sandbox: callbacks, polling, failures, 402 and 429. */
describe('kie.ai adapter', () => {
  let sandbox: Sandbox;
  let client: KieClient;
  let receiver: Server;
  let callbackUrl: string;
  const callbacks: Array<{ headers: Record<string, string | string[] | undefined>; body: any }> = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      latencyMs: 20,
      imageScale: 0.0625,
      kieWebhookKey: 'adapter-key',
    });
    client = new KieClient({ baseUrl: `${sandbox.url}/kie`, timeoutMs: 5000 });
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        callbacks.push({ headers: req.headers, body: JSON.parse(text) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/cb`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
    await sandbox?.close();
  });

  async function callbackFor(taskId: string, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = callbacks.find((each) => (each.body.data?.taskId ?? each.body.data?.task_id) === taskId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no callback for ${taskId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('succeeds by callback, signed, with the string-encoded fields parsed', async () => {
    const taskId = await client.createTask('key-a', {
      model: 'kling-3.0/video',
      input: { prompt: 'a lantern festival', duration: 5, aspect_ratio: '16:9', mode: 'std' },
      callBackUrl: callbackUrl,
    });
    const callback = await callbackFor(taskId);
    expect(callback.headers['x-webhook-signature']).toBe(
      signKieCallback('adapter-key', taskId, String(callback.headers['x-webhook-timestamp'])),
    );
    const record = parseKieRecord(callback.body.data, callback.body.code);
    expect(record.state).toBe('success');
    expect(record.resultUrls).toHaveLength(1);
    expect(record.param).toMatchObject({ model: 'kling-3.0/video', input: { duration: '5', mode: 'std' } });
    const video = await fetch(record.resultUrls[0]!);
    expect(video.headers.get('content-type')).toContain('video/mp4');
  });

  it('succeeds by polling when no callback arrives', async () => {
    sandbox.state.injectFault({ provider: 'kie', kind: 'no-callback' });
    const taskId = await client.createTask('key-b', {
      model: 'wan/2-5-text-to-video',
      input: { prompt: 'quiet harbour', duration: '5', resolution: '720p' },
      callBackUrl: callbackUrl,
    });
    const first = await client.recordInfo('key-b', taskId);
    expect(['waiting', 'queuing', 'generating']).toContain(first.state);
    const record = await client.waitForResult('key-b', taskId, {
      initialMs: 30,
      maxMs: 100,
      timeoutMs: 5000,
    });
    expect(record.state).toBe('success');
    expect(record.resultUrls[0]).toMatch(/^http/);
    expect(callbacks.some((each) => each.body.data?.taskId === taskId)).toBe(false);
  });

  it('reports failed tasks (state fail, failCode 501) by poll and by callback', async () => {
    sandbox.state.injectFault({ provider: 'kie', kind: 'task-fail' });
    const taskId = await client.createTask('key-c', {
      model: 'sora-2-text-to-video',
      input: { prompt: 'doomed', n_frames: '10', aspect_ratio: 'landscape' },
      callBackUrl: callbackUrl,
    });
    const polled = await client.waitForResult('key-c', taskId, {
      initialMs: 30,
      maxMs: 100,
      timeoutMs: 5000,
    });
    expect(polled.state).toBe('fail');
    expect(polled.failMsg).toBeTruthy();
    const callback = await callbackFor(taskId);
    expect(callback.body.code).toBe(501);
    expect(parseKieRecord(callback.body.data, callback.body.code).state).toBe('fail');
  });

  it('maps 402, 429, 401, 422, 455, 500 and 505 to provider failure kinds, reading `msg`', async () => {
    const cases: Array<[number, string]> = [
      [402, 'out_of_credits'],
      [429, 'rate_limited'],
      [401, 'session_expired'],
      [422, 'invalid_request'],
      [455, 'upstream_error'],
      [500, 'upstream_error'],
      [505, 'invalid_request'],
    ];
    for (const [code, kind] of cases) {
      sandbox.state.injectFault({ provider: 'kie', code, message: `sandbox says ${code}` });
      const error = await client
        .createTask('key-d', { model: 'kling-3.0/video', input: { prompt: 'x' } })
        .catch((caught: unknown) => caught);
      expect(error, String(code)).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind, String(code)).toBe(kind);
      expect((error as ProviderError).upstreamCode).toBe(code);
      expect((error as ProviderError).message).toBe(`sandbox says ${code}`);
    }
    // A key whose credits ran out answers 402 on its own.
    sandbox.state.setKieKey('poor-key', { credits: 0 });
    const poor = await client
      .createTask('poor-key', { model: 'kling-3.0/video', input: { prompt: 'x' } })
      .catch((caught: unknown) => caught);
    expect((poor as ProviderError).kind).toBe('out_of_credits');
    sandbox.state.setKieKey('rich-key', { credits: 500 });
    expect(await client.credit('rich-key')).toBe(500);
  });
});
