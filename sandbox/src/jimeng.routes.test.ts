import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

let sandbox: Sandbox;
let seq = 0;
/** A fresh session id per test so accounts never leak between tests. */
const session = (prefix = '') => `${prefix}sess${Date.now().toString(36)}${++seq}`;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, latencyMs: 5, imageScale: 0.05, log: () => undefined });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.state.reset());

type Json = Record<string, unknown> & { code?: number; message?: string; data?: unknown };

async function call(
  path: string,
  token: string | undefined,
  body: unknown,
  signal?: AbortSignal,
): Promise<Json> {
  const response = await fetch(`${sandbox.url}/jimeng${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal,
  });
  // The gateway answers failures with HTTP 200 too.
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

const urls = (result: Json) => (result.data as Array<{ url: string }>).map((item) => item.url);

describe('jimeng gateway: images/generations', () => {
  it('holds calls at the gate until released, and a held call whose client leaves ends', async () => {
    sandbox.state.gate.hold();
    let answered = false;
    const held = call('/v1/images/generations', session(), { prompt: 'held lantern' }).then((result) => {
      answered = true;
      return result;
    });
    const leaving = new AbortController();
    const left = call('/v1/images/generations', session(), { prompt: 'left' }, leaving.signal).catch(
      (error: Error) => error.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toBe(false);
    const inFlight = Object.values(sandbox.state.stats().inFlight.jimeng ?? {});
    expect(inFlight.reduce((sum, n) => sum + n, 0)).toBe(2);
    leaving.abort();
    expect(await left).toBe('AbortError');
    sandbox.state.gate.release();
    expect(urls(await held)).toHaveLength(4);
  });

  it('returns four signed URLs of real PNGs sized by ratio and resolution', async () => {
    const result = await call('/v1/images/generations', session(), {
      prompt: 'a fox in snow',
      ratio: '16:9',
    });
    expect(result.code).toBeUndefined();
    expect(typeof result.created).toBe('number');
    expect(urls(result)).toHaveLength(4);
    for (const url of urls(result))
      expect(url).toMatch(/\/files\/[0-9a-f]{32}\.png\?x-expires=\d+&x-signature=/);
    const png = Buffer.from(await (await fetch(urls(result)[0])).arrayBuffer());
    const meta = await sharp(png).metadata();
    // 2k 16:9 is 2560x1440; times the test scale 0.05.
    expect(meta).toMatchObject({ format: 'png', width: 128, height: 72 });
  });

  it('draws different images for different outputs of one call', async () => {
    const result = await call('/v1/images/generations', session(), { prompt: 'two moons', resolution: '1k' });
    const [a, b] = await Promise.all(
      urls(result)
        .slice(0, 2)
        .map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())),
    );
    expect(a.equals(b)).toBe(false);
    expect(await sharp(a).metadata()).toMatchObject({ width: 51, height: 51 });
  });

  it('answers b64_json when asked', async () => {
    const result = await call('/v1/images/generations', session(), {
      prompt: 'x',
      response_format: 'b64_json',
    });
    const [first] = result.data as Array<{ b64_json: string }>;
    expect((await sharp(Buffer.from(first.b64_json, 'base64')).metadata()).format).toBe('png');
  });

  it('validates like the gateway: size is refused, params are typed, ratio/resolution sets are closed', async () => {
    const token = session();
    expect(await call('/v1/images/generations', token, { prompt: 'x', size: '1024x1024' })).toEqual({
      code: -1000,
      message: '不支持的参数: size。请使用 ratio 和 resolution 参数控制图像尺寸。',
      data: null,
    });
    expect(await call('/v1/images/generations', token, { model: 'jimeng-4.5' })).toMatchObject({
      code: -2000,
      message: 'Params body.prompt invalid',
    });
    expect(await call('/v1/images/generations', undefined, { prompt: 'x' })).toMatchObject({ code: -2000 });
    expect((await call('/v1/images/generations', token, { prompt: 'x', ratio: '5:4' })).message).toContain(
      '不支持的比例 "5:4"',
    );
    expect((await call('/v1/images/generations', token, { prompt: 'x', resolution: '8k' })).code).toBe(-1000);
    expect(
      (await call('/v1/images/generations', 'US-' + token, { prompt: 'x', model: 'jimeng-3.1' })).message,
    ).toContain('国际版不支持模型');
  });

  it('treats region prefixes case-insensitively', async () => {
    const token = session();
    await call('/v1/images/generations', `US-${token}`, { prompt: 'x' });
    const points = await call('/token/points', `us-${token}`, {});
    expect((points as unknown as Array<{ points: { totalCredit: number } }>)[0].points.totalCredit).toBe(65);
    expect(sandbox.state.callCount('jimeng', `us-${token}`, 'images/generations')).toBe(1);
  });
});

describe('jimeng gateway: compositions and videos', () => {
  it('composes from URL strings and {url} objects', async () => {
    const token = session();
    const source = urls(await call('/v1/images/generations', token, { prompt: 'source' }));
    const result = await call('/v1/images/compositions', token, {
      prompt: 'blend them',
      images: [source[0], { url: source[1] }],
    });
    expect(result).toMatchObject({ input_images: 2, composition_type: 'multi_image_synthesis' });
    expect(urls(result)).toHaveLength(4);
  });

  it('composes from multipart uploads', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('prompt', 'from upload');
    form.append('sample_strength', '0.5');
    form.append('images', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
    const response = await fetch(`${sandbox.url}/jimeng/v1/images/compositions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session()}` },
      body: form,
    });
    expect(await response.json()).toMatchObject({
      input_images: 1,
      composition_type: 'multi_image_synthesis',
    });
  });

  it('fails a composition whose input cannot be downloaded (-2007)', async () => {
    const result = await call('/v1/images/compositions', session(), {
      prompt: 'x',
      images: [`${sandbox.url}/files/00000000000000000000000000000000.png`],
    });
    expect(result).toMatchObject({
      code: -2007,
      message: '图片上传失败: Request failed with status code 404',
    });
  });

  it('validates composition images', async () => {
    expect((await call('/v1/images/compositions', session(), { prompt: 'x' })).code).toBe(-2000);
    expect((await call('/v1/images/compositions', session(), { prompt: 'x', images: [] })).message).toBe(
      '至少需要提供1张输入图片',
    );
    expect((await call('/v1/images/compositions', session(), { prompt: 'x', images: [{}] })).message).toBe(
      '图片 1 缺少url字段',
    );
  });

  it('generates one MP4 with a revised_prompt', async () => {
    const token = session();
    const frame = urls(await call('/v1/images/generations', token, { prompt: 'frame' }))[0];
    const result = await call('/v1/videos/generations', token, {
      prompt: 'walk',
      duration: 10,
      file_paths: [frame],
    });
    const data = result.data as Array<{ url: string; revised_prompt: string }>;
    expect(data).toHaveLength(1);
    expect(data[0].revised_prompt).toBe('walk');
    const response = await fetch(data[0].url);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const mp4 = Buffer.from(await response.arrayBuffer());
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('checks video params like the gateway', async () => {
    expect(
      (await call('/v1/videos/generations', session(), { prompt: 'x', file_paths: ['a', 'b', 'c'] })).code,
    ).toBe(-2000);
    expect(await call('/v1/videos/generations', session(), { prompt: 'x', duration: 7 })).toMatchObject({
      code: -1000,
      message: '3.5-pro 模型仅支持 5、10、12 秒时长，当前值: 7',
    });
  });
});

describe('jimeng gateway: token endpoints and account state', () => {
  it('checks, reports and receives points', async () => {
    const token = session();
    expect(await call('/token/check', undefined, { token })).toEqual({ live: true });
    expect(await call('/token/points', token, {})).toEqual([
      { token, points: { giftCredit: 66, purchaseCredit: 0, vipCredit: 0, totalCredit: 66 } },
    ]);
    const again = (await call('/token/receive', token, {})) as unknown as Array<Record<string, unknown>>;
    expect(again[0]).toMatchObject({ token, success: false });
    sandbox.state.setJimengToken(token, { points: 0 });
    sandbox.state.jimengNewDay();
    const received = (await call('/token/receive', token, {})) as unknown as Array<Record<string, unknown>>;
    expect(received[0]).toMatchObject({ token, success: true, giftCredit: 66, totalCredit: 66 });
  });

  it('runs out of points: -2009 for images, -2008 for video, then a new day auto-claims', async () => {
    const token = session();
    sandbox.state.setJimengToken(token, { points: 1 });
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBeUndefined();
    expect(sandbox.state.jimengToken(token).giftCredit).toBe(0);
    expect(await call('/v1/images/generations', token, { prompt: 'x' })).toMatchObject({
      code: -2009,
      message: '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。',
    });
    expect((await call('/v1/videos/generations', token, { prompt: 'x' })).code).toBe(-2008);
    sandbox.state.jimengNewDay();
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBeUndefined();
    expect(sandbox.state.jimengToken(token).giftCredit).toBe(65);
  });

  it('refuses a call that costs more than the balance (-2009 prededuct)', async () => {
    const token = session();
    sandbox.state.setJimengToken(token, { points: 1 });
    expect(
      (await call('/v1/images/generations', token, { prompt: 'x', resolution: '4k' })).message,
    ).toContain('credit prededuct not enough');
  });

  it('reports an expired session everywhere', async () => {
    const token = session();
    sandbox.state.setJimengToken(token, { live: false });
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBe(-2002);
    expect(await call('/token/check', undefined, { token })).toEqual({ live: false });
    expect((await call('/token/points', token, {})).code).toBe(-2002);
    expect((await call('/token/check', undefined, { token: 'expired-demo' })).live).toBe(false);
  });

  it('answers -2001 shark-not-pass when a session exceeds its concurrency limit', async () => {
    const token = session();
    sandbox.state.setJimengToken(token, { concurrencyLimit: 1 });
    sandbox.state.setLatency(100);
    const results = await Promise.all(
      [1, 2].map(() => call('/v1/images/generations', token, { prompt: 'x' })),
    );
    const codes = results.map((result) => result.code).sort();
    expect(codes).toEqual([-2001, undefined]);
    expect(results.find((r) => r.code)?.message).toContain('1019');
    expect(sandbox.state.stats().maxConcurrent.jimeng[token]).toBe(2);
  });

  it('stops holding the request when the client aborts', async () => {
    const token = session();
    sandbox.state.setLatency(5_000);
    const controller = new AbortController();
    const pending = call('/v1/images/generations', token, { prompt: 'x' }, controller.signal).catch(
      (e: Error) => e.name,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sandbox.state.stats().inFlight.jimeng?.[token]).toBe(1);
    controller.abort();
    expect(await pending).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sandbox.state.stats().inFlight.jimeng?.[token]).toBeUndefined();
  });
});

describe('jimeng gateway: failure injection', () => {
  const cases: Array<[kind: string, code: number, contains: string]> = [
    ['system-error', -1000, '系统异常'],
    ['invalid-params', -2000, '参数错误'],
    ['request-failed', -2001, '服务器错误'],
    ['no-credits', -2001, '(错误码: 1006)'],
    ['anti-bot', -2001, 'shark not pass (错误码: 1019)'],
    ['permission-denied', -2001, '(错误码: 3018)'],
    ['rate-limited', -2001, '[请求频率限制]: 请求过于频繁，请稍后重试'],
    ['request-timeout', -2001, '[请求超时]: '],
    ['network-error', -2001, '[网络错误]: '],
    ['server-error', -2001, '[服务器错误]: '],
    ['session-expired', -2002, '登录失效'],
    ['bad-file', -2003, 'is not valid'],
    ['file-too-large', -2004, 'is not valid'],
    ['content-blocked', -2006, '内容违规'],
    ['result-blocked', -2007, '错误码: 2038'],
    ['generation-timeout', -2007, '生成超时'],
    ['image-failed', -2007, '生成失败'],
    ['video-failed', -2008, '视频生成失败'],
    ['insufficient-points', -2009, '积分不足'],
  ];

  it.each(cases)('kind %s answers code %i', async (kind, code, contains) => {
    const token = session();
    sandbox.state.injectFault({ provider: 'jimeng', credential: token, kind });
    const result = await call('/v1/images/generations', token, { prompt: 'x' });
    expect(result).toMatchObject({ code, data: null });
    expect(result.message).toContain(contains);
    // Consumed: the next call succeeds.
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBeUndefined();
  });

  it('accepts bare codes through the control endpoint, in order, only for the named session', async () => {
    const token = session();
    const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { provider: 'jimeng', credential: token, code: -2009 },
        { provider: 'jimeng', credential: token, code: -2007, kind: 'result-blocked', count: 2 },
      ]),
    });
    expect(response.status).toBe(200);
    expect(
      (await call('/v1/images/generations', session(), { prompt: 'other session' })).code,
    ).toBeUndefined();
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBe(-2009);
    expect((await call('/v1/videos/generations', token, { prompt: 'x' })).message).toContain('2038');
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).message).toContain('2038');
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBeUndefined();
  });

  it('leaves token endpoints alone unless the fault names them', async () => {
    const token = session();
    sandbox.state.injectFault({ provider: 'jimeng', kind: 'anti-bot' });
    expect(Array.isArray(await call('/token/points', token, {}))).toBe(true);
    expect((await call('/v1/images/generations', token, { prompt: 'x' })).code).toBe(-2001);
    sandbox.state.injectFault({ provider: 'jimeng', endpoint: 'token/points', kind: 'session-expired' });
    expect((await call('/token/points', token, {})).code).toBe(-2002);
  });

  it('reads demo markers in prompts', async () => {
    expect(
      (await call('/v1/images/generations', session(), { prompt: 'a [sandbox:blocked] cat' })).code,
    ).toBe(-2006);
    expect((await call('/v1/images/generations', session(), { prompt: '[sandbox:-2009] x' })).code).toBe(
      -2009,
    );
  });

  it('rejects faults it cannot produce', async () => {
    expect(() => sandbox.state.injectFault({ provider: 'jimeng', kind: 'nope' })).toThrow(
      /kind must be one of/,
    );
    const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'jimeng', code: -1234 }),
    });
    expect(response.status).toBe(400);
  });
});
