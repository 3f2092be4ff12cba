import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { download, request, requestBare, requestSuccess, send, uploadFile } from './api-client';

interface Call {
  url: string;
  init: RequestInit;
}

let calls: Call[];
let answer: () => Response | Promise<Response>;

beforeEach(() => {
  calls = [];
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => (key === 'dreamloom.admin.token' ? 'staff-token' : null),
    setItem: () => undefined,
    removeItem: () => undefined,
  });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  });
});

afterEach(() => vi.unstubAllGlobals());

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const headers = (call: Call) => call.init.headers as Record<string, string>;

describe('the admin HTTP client', () => {
  it('sends the token, the query without empty values and a JSON body', async () => {
    answer = () => json({ ok: true });
    const { response, json: body } = await send('/api/x', {
      method: 'POST',
      query: { page: 2, q: '', kind: undefined, on: true },
      body: { a: 1 },
    });
    expect(response.status).toBe(200);
    expect(body).toEqual({ ok: true });
    expect(calls[0].url).toBe('/api/x?page=2&on=true');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.body).toBe('{"a":1}');
    expect(headers(calls[0])).toEqual({
      Accept: 'application/json',
      Authorization: 'Bearer staff-token',
      'Content-Type': 'application/json',
    });
  });

  it('turns an unreachable server into HttpError 0 and passes an abort on', async () => {
    answer = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(requestBare('/api/x')).rejects.toEqual({ statusCode: 0, message: 'Failed to fetch' });
    answer = () => Promise.reject(new DOMException('aborted', 'AbortError'));
    await expect(request('/api/x')).rejects.toBeInstanceOf(DOMException);
  });

  it('decodes each family: {code} (200 and 004’s 0), {success}, bare {detail}', async () => {
    answer = () => json({ code: 0, message: 'ok', data: [1] });
    await expect(request('/api/v1/history')).resolves.toEqual({ data: [1], message: 'ok' });
    answer = () => json({ code: 400, message: 'bad size' });
    await expect(request('/api/v1/jimeng/accounts/list')).rejects.toEqual({
      statusCode: 400,
      message: 'bad size',
    });
    answer = () => json({ success: false, error: { code: 'NOPE', message: 'no' } }, 409);
    await expect(requestSuccess('/api/x')).rejects.toEqual({
      statusCode: 409,
      message: 'no',
      errors: { code: 'NOPE' },
    });
    answer = () => json({ detail: 'Character not found' }, 404);
    await expect(requestBare('/api/v1/characters/9')).rejects.toEqual({
      statusCode: 404,
      message: 'Character not found',
    });
  });

  it('uploads a file as multipart, leaving the boundary to the browser', async () => {
    answer = () => json({ url: '/media/a.png' });
    const file = new Blob(['png'], { type: 'image/png' });
    await expect(uploadFile('/api/v1/upload', file, 'a.png')).resolves.toEqual({ url: '/media/a.png' });
    expect(calls[0].init.body).toBeInstanceOf(FormData);
    expect((calls[0].init.body as FormData).get('file')).toBeInstanceOf(Blob);
    expect(headers(calls[0])['Content-Type']).toBeUndefined();
    expect(headers(calls[0]).Authorization).toBe('Bearer staff-token');
    answer = () => json({ detail: 'Too large' }, 413);
    await expect(uploadFile('/api/v1/upload', file, 'a.png')).rejects.toEqual({
      statusCode: 413,
      message: 'Too large',
    });
  });

  it('downloads a file as a Blob, and reads a JSON or text error', async () => {
    answer = () => new Response('PK\u0003\u0004zip', { status: 200 });
    const zip = await download('/api/v1/images/export', { method: 'POST', body: { imageIds: ['a'] } });
    expect(await zip.text()).toBe('PK\u0003\u0004zip');
    expect(headers(calls[0]).Accept).toBe('*/*');
    answer = () => json({ code: 404, message: 'No such image' }, 404);
    await expect(download('/api/v1/images/export')).rejects.toEqual({
      statusCode: 404,
      message: 'No such image',
    });
    answer = () => new Response('stream failed', { status: 500 });
    await expect(download('/api/v1/images/export')).rejects.toEqual({
      statusCode: 500,
      message: 'stream failed',
    });
  });
});
