import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

const WEBHOOK_KEY = 'whk_test_secret';
let sandbox: Sandbox;
let receiver: Server;
let receiverUrl: string;
let received: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
const waiters: Array<() => void> = [];
let seq = 0;
const key = () => `kie-key-${Date.now().toString(36)}-${++seq}`;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    latencyMs: 20,
    imageScale: 0.05,
    kieWebhookKey: WEBHOOK_KEY,
    log: () => undefined,
  });
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(raw) });
      res.end('ok');
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kie-callback`;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await sandbox.state.reset();
  received = [];
});

async function api(
  path: string,
  apiKey: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(`${sandbox.url}/kie/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function nextCallback(): Promise<void> {
  return new Promise((resolve) => waiters.push(resolve));
}

async function pollUntilDone(
  apiKey: string,
  taskId: string,
): Promise<{ states: string[]; data: Record<string, any> }> {
  const states: string[] = [];
  for (let i = 0; i < 200; i++) {
    const { json } = await api(`/jobs/recordInfo?taskId=${taskId}`, apiKey);
    expect(json.code).toBe(200);
    if (states.at(-1) !== json.data.state) states.push(json.data.state);
    if (json.data.state === 'success' || json.data.state === 'fail') return { states, data: json.data };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('task never finished');
}

describe('kie.ai: task lifecycle', () => {
  it('creates a task and moves waiting → queuing → generating → success with JSON-string fields', async () => {
    const apiKey = key();
    // Stages long enough that polling every 5 ms sees each of them.
    sandbox.state.setLatency(100);
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      input: { prompt: 'a cat surfing', duration: 5, aspect_ratio: '16:9', mode: 'std', sound: false },
    });
    expect(created).toEqual({
      status: 200,
      json: { code: 200, msg: 'success', data: { taskId: expect.any(String) } },
    });
    const { states, data } = await pollUntilDone(apiKey, created.json.data.taskId);
    expect(states).toEqual(['waiting', 'queuing', 'generating', 'success']);
    expect(typeof data.param).toBe('string');
    expect(JSON.parse(data.param)).toEqual({
      model: 'kling-3.0/video',
      input: { prompt: 'a cat surfing', duration: '5', aspect_ratio: '16:9', mode: 'std', sound: false },
    });
    const result = JSON.parse(data.resultJson) as { resultUrls: string[] };
    expect(result.resultUrls).toHaveLength(1);
    const mp4 = Buffer.from(await (await fetch(result.resultUrls[0])).arrayBuffer());
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(data).toMatchObject({
      failCode: '',
      failMsg: '',
      completeTime: expect.any(Number),
      costTime: expect.any(Number),
    });
  });

  it('renders PNGs for image models', async () => {
    const apiKey = key();
    const created = await api('/jobs/createTask', apiKey, {
      model: 'google/nano-banana',
      input: { prompt: 'a lighthouse', image_size: '16:9' },
    });
    const { data } = await pollUntilDone(apiKey, created.json.data.taskId);
    const [url] = (JSON.parse(data.resultJson) as { resultUrls: string[] }).resultUrls;
    const meta = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 51, height: 29 });
  });

  it('posts a signed callback shaped like recordInfo', async () => {
    const apiKey = key();
    const arrived = nextCallback();
    const created = await api('/jobs/createTask', apiKey, {
      model: 'sora-2-text-to-video',
      callBackUrl: receiverUrl,
      input: { prompt: 'rain on glass', aspect_ratio: 'landscape', n_frames: '10' },
    });
    await arrived;
    const [callback] = received;
    const taskId = created.json.data.taskId as string;
    expect(callback.body).toMatchObject({
      code: 200,
      data: { taskId, task_id: taskId, state: 'success', model: 'sora-2-text-to-video', failCode: null },
    });
    expect(JSON.parse((callback.body.data as { resultJson: string }).resultJson).resultUrls).toHaveLength(1);
    const timestamp = callback.headers['x-webhook-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(30);
    const expected = createHmac('sha256', WEBHOOK_KEY).update(`${taskId}.${timestamp}`).digest('base64');
    expect(callback.headers['x-webhook-signature']).toBe(expected);
    // Counted once the sandbox has read our reply, a moment after the callback arrived.
    await eventually(() => sandbox.state.stats().kieCallbacks.delivered === 1);
  });

  it('can suppress the callback so the adapter must poll', async () => {
    const apiKey = key();
    sandbox.state.injectFault({ provider: 'kie', credential: apiKey, kind: 'no-callback' });
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      callBackUrl: receiverUrl,
      input: { prompt: 'x' },
    });
    const { data } = await pollUntilDone(apiKey, created.json.data.taskId);
    expect(data.state).toBe('success');
    expect(received).toHaveLength(0);
    expect(sandbox.state.stats().kieCallbacks.suppressed).toBe(1);
  });

  it('ends a task in state fail (recordInfo) and calls back with code 501', async () => {
    const apiKey = key();
    sandbox.state.injectFault({
      provider: 'kie',
      credential: apiKey,
      code: 501,
      message: 'content policy violation',
    });
    const arrived = nextCallback();
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      callBackUrl: receiverUrl,
      input: { prompt: 'x' },
    });
    expect(created.json.code).toBe(200);
    await arrived;
    expect(received[0].body).toMatchObject({
      code: 501,
      data: { state: 'fail', failMsg: 'content policy violation' },
    });
    const { data } = await pollUntilDone(apiKey, created.json.data.taskId);
    expect(data).toMatchObject({
      state: 'fail',
      failCode: '500',
      failMsg: 'content policy violation',
      resultJson: '',
    });
  });

  it('survives an unreachable callback URL', async () => {
    const apiKey = key();
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      callBackUrl: 'http://127.0.0.1:9/nowhere',
      input: { prompt: 'x' },
    });
    const { data } = await pollUntilDone(apiKey, created.json.data.taskId);
    expect(data.state).toBe('success');
    await eventually(() => sandbox.state.stats().kieCallbacks.failed === 1);
  });
});

describe('kie.ai: codes and credits', () => {
  it('reports and spends credits; 402 when they run out', async () => {
    const apiKey = key();
    sandbox.state.setKieKey(apiKey, { credits: 40 });
    expect((await api('/chat/credit', apiKey)).json).toEqual({ code: 200, msg: 'success', data: 40 });
    expect(
      (await api('/jobs/createTask', apiKey, { model: 'kling-3.0/video', input: { prompt: 'x' } })).json.code,
    ).toBe(200);
    expect((await api('/chat/credit', apiKey)).json.data).toBe(10);
    const refused = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      input: { prompt: 'x' },
    });
    expect(refused).toEqual({ status: 200, json: { code: 402, msg: 'Credits insufficient', data: null } });
  });

  it('answers 401 in the body for a missing or revoked key', async () => {
    expect((await api('/chat/credit', undefined)).json.code).toBe(401);
    const apiKey = key();
    sandbox.state.setKieKey(apiKey, { valid: false });
    expect((await api('/jobs/createTask', apiKey, { model: 'm', input: { prompt: 'x' } })).json.code).toBe(
      401,
    );
  });

  it('validates with 422 and finds no foreign task (404)', async () => {
    const apiKey = key();
    expect((await api('/jobs/createTask', apiKey, { input: { prompt: 'x' } })).json.code).toBe(422);
    expect(
      (
        await api('/jobs/createTask', apiKey, {
          model: 'sora-2-text-to-video',
          input: { prompt: 'x', aspect_ratio: '16:9' },
        })
      ).json.code,
    ).toBe(422);
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      input: { prompt: 'x' },
    });
    expect((await api(`/jobs/recordInfo?taskId=${created.json.data.taskId}`, key())).json.code).toBe(404);
  });

  it.each([401, 402, 404, 422, 429, 455, 500, 505])('injects body code %i on createTask', async (code) => {
    const apiKey = key();
    sandbox.state.injectFault({ provider: 'kie', credential: apiKey, code });
    const { status, json } = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      input: { prompt: 'x' },
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ code, data: null, msg: expect.any(String) });
  });

  it('injects poll errors with a chosen HTTP status, by control endpoint', async () => {
    const apiKey = key();
    const created = await api('/jobs/createTask', apiKey, {
      model: 'kling-3.0/video',
      input: { prompt: 'x' },
    });
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'kie',
        endpoint: 'recordInfo',
        kind: 'rate-limited',
        httpStatus: 429,
      }),
    });
    const limited = await api(`/jobs/recordInfo?taskId=${created.json.data.taskId}`, apiKey);
    expect(limited).toMatchObject({ status: 429, json: { code: 429 } });
    expect((await api(`/jobs/recordInfo?taskId=${created.json.data.taskId}`, apiKey)).json.code).toBe(200);
    expect(sandbox.state.callCount('kie', apiKey, 'recordInfo')).toBe(2);
  });

  it('reads demo markers in the prompt', async () => {
    const apiKey = key();
    expect(
      (
        await api('/jobs/createTask', apiKey, {
          model: 'kling-3.0/video',
          input: { prompt: '[sandbox:455]' },
        })
      ).json.code,
    ).toBe(455);
  });
});
