import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { createBatch, png, waitForTask } from './support/nanobanana/helpers.js';

const BAD_REQUEST = '请求参数有误，请检查后重试';

/**
 * Contract 004 as a client written from its text alone reads it: options map onto the SDK's
 * generation config, each route answers its documented messages exactly, and a failed task's
 * errorMessage names the failure class without quoting what Gemini answered.
 */
describe('NanoBanana contract 004 fidelity', () => {
  let system: RunningSystem;
  let base: string;

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
    base = system.baseUrl;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const taskCount = async () =>
    (await api(base, 'GET', '/api/v1/history?page=1&pageSize=1')).body.data.total as number;

  it('options accept GenerationConfig fields beyond temperature/seed/topP/topK and run', async () => {
    const options = JSON.stringify({
      temperature: 0.4,
      maxOutputTokens: 2048,
      candidateCount: 1,
      stopSequences: ['END'],
      presencePenalty: 0.1,
      responseModalities: ['IMAGE'],
      mediaResolution: 'MEDIA_RESOLUTION_HIGH',
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: false },
    });
    const created = await createBatch(base, { prompt: 'options mapped', options });
    expect(created.status).toBe(200);
    expect(created.body.data.options).toBe(options);
    const done = await waitForTask(base, created.body.data.id);
    expect(done.status).toBe('completed');
  });

  it('unknown or mistyped options are the documented 400 and store nothing', async () => {
    const before = await taskCount();
    for (const options of [
      '{"temperatur":0.7}',
      '{"responseSchema":{"type":"OBJECT"}}',
      '{"thinkingConfig":{"thinkingLevel":"EXTREME"}}',
      '{"responseModalities":["TEXT"]}',
      '{"candidateCount":4}',
      '{"temperature":"hot"}',
      'not json',
    ]) {
      const answer = await createBatch(base, { prompt: 'bad options', options });
      expect(answer.status, options).toBe(400);
      expect(answer.body, options).toEqual({ code: 400, message: BAD_REQUEST });
    }
    expect(await taskCount()).toBe(before);
  });

  it('batch-with-images refusals say exactly 请求参数有误，请检查后重试', async () => {
    const before = await taskCount();
    const form = (fields: Record<string, string>, image?: Uint8Array<ArrayBuffer> | 'broken') => {
      const data = new FormData();
      const all = {
        prompt: 'ref run',
        model: 'gemini-3-pro-image-preview',
        count: '1',
        apiKey: 'k',
        ...fields,
      };
      for (const [name, value] of Object.entries(all)) if (value !== '') data.append(name, value);
      if (image === 'broken') data.append('refImages', new Blob([Buffer.from('not an image')]), 'a.png');
      else if (image) data.append('refImages', new Blob([image], { type: 'image/png' }), 'a.png');
      return data;
    };
    const cases: [string, FormData][] = [
      ['missing prompt', form({ prompt: '' })],
      ['count 0', form({ count: '0' })],
      ['count 101', form({ count: '101' })],
      ['bad ratio', form({ aspectRatio: '2:1' })],
      ['unknown option', form({ options: '{"foo":1}' })],
      ['unreadable image', form({}, 'broken')],
    ];
    for (const [name, body] of cases) {
      const response = await fetch(`${base}/api/v1/generate/batch-with-images`, { method: 'POST', body });
      expect(response.status, name).toBe(400);
      expect(await response.json(), name).toEqual({ code: 400, message: BAD_REQUEST });
    }
    const ok = await fetch(`${base}/api/v1/generate/batch-with-images`, {
      method: 'POST',
      body: form({}, await png(64, 64)),
    });
    expect(ok.status).toBe(200);
    expect(await taskCount()).toBe(before + 1);
  });

  it('export and batch delete refuse with exactly 参数错误', async () => {
    for (const body of [{}, { imageIds: [] }, { imageIds: 'x' }, { imageIds: ['x'.repeat(40)] }]) {
      const answer = await api(base, 'POST', '/api/v1/images/export', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toEqual({ code: 400, message: '参数错误' });
    }
    for (const body of [{}, { ids: [] }, { ids: 'x' }, '{"ids": [']) {
      const answer = await api(base, 'DELETE', '/api/v1/history/batch', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toEqual({ code: 400, message: '参数错误' });
    }
  });

  it('malformed JSON answers each route’s documented message in the contract envelope', async () => {
    const before = await taskCount();
    const raw = (method: string, path: string) =>
      api(base, method, path, { body: '{"prompt": "cut', headers: { 'content-type': 'application/json' } });
    expect(await raw('POST', '/api/v1/generate/batch')).toMatchObject({
      status: 400,
      body: { code: 400, message: BAD_REQUEST },
    });
    expect(await raw('POST', '/api/v1/images/export')).toMatchObject({
      status: 400,
      body: { code: 400, message: '参数错误' },
    });
    expect(await taskCount()).toBe(before);
  });

  it('GET /images/<not-an-id> says 图片不存在 like the other image routes', async () => {
    for (const id of ['not-an-id', 'abc', '12ab']) {
      for (const path of [`/api/v1/images/${id}`, `/api/v1/images/${id}/download`]) {
        const answer = await api(base, 'GET', path);
        expect(answer.status, path).toBe(404);
        expect(answer.body, path).toEqual({ code: 404, message: '图片不存在' });
      }
    }
    const unknown = await api(base, 'GET', '/api/v1/images/123456789012345678');
    expect(unknown.body).toEqual({ code: 404, message: '图片不存在' });
  });

  it('a failed task names the failure class in a short message, never the upstream answer', async () => {
    const cases: [string, 'invalid' | 'suspended' | 'quota-exhausted' | null, RegExp][] = [
      ['invalid', 'invalid', /^1\/1 张生成失败: API key rejected \(HTTP 400\)$/],
      ['suspended', 'suspended', /^1\/1 张生成失败: API key rejected \(HTTP 403\)$/],
      ['quota', 'quota-exhausted', /^1\/1 张生成失败: rate limited or quota exhausted \(HTTP 429\)$/],
      ['blocked', null, /^1\/1 张生成失败: content blocked \(IMAGE_SAFETY\)$/],
    ];
    for (const [name, keyState, expected] of cases) {
      const key = `AIzaSy-fidelity-${name}`;
      if (keyState) system.sandbox.state.setGeminiKey(key, keyState);
      else
        system.sandbox.state.injectFault({
          provider: 'gemini',
          credential: key,
          kind: 'image-safety',
          count: 5,
        });
      const created = await createBatch(base, { prompt: `failure ${name}`, apiKey: key });
      const failed = await waitForTask(base, created.body.data.id, {}, 30_000);
      expect(failed.status, name).toBe('failed');
      expect(failed.errorMessage, name).toMatch(expected);
      expect(failed.errorMessage).not.toMatch(/session_expired|\{|"error"|Consumer|api_key/);
    }
  });
});
