import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNanobananaDataProvider } from './nanobanana-data-provider';

interface Call {
  url: string;
  method: string;
  body: unknown;
}

let calls: Call[];
let replies: Array<{ status: number; body: unknown }>;

beforeEach(() => {
  calls = [];
  replies = [];
  const store = new Map<string, string>([['dreamloom.admin.token', 'tok-1']]);
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const reply = replies.shift() ?? { status: 200, body: { code: 0, message: 'success', data: null } };
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const task = (id: string) => ({
  id,
  prompt: 'p',
  model: 'm',
  totalCount: 1,
  completedCount: 1,
  status: 'completed',
  images: [],
});

describe('createNanobananaDataProvider (contract 004, `code: 0` envelope)', () => {
  it('lists history, or searches when a keyword filter is set', async () => {
    replies.push({
      status: 200,
      body: { code: 0, message: 'success', data: { list: [task('a')], total: 11, page: 2 } },
    });
    const provider = createNanobananaDataProvider();
    const page = await provider.getList({
      resource: 'nanobanana_tasks',
      pagination: { currentPage: 2, pageSize: 5 },
    });
    expect(page).toEqual({ data: [task('a')], total: 11 });
    expect(calls[0]!.url).toBe('/api/v1/history?page=2&pageSize=5');

    replies.push({
      status: 200,
      body: {
        code: 0,
        message: 'success',
        data: { list: [], total: 0, page: 1, pageSize: 10, keyword: '女孩' },
      },
    });
    await provider.getList({
      resource: 'nanobanana_tasks',
      pagination: { currentPage: 1, pageSize: 10 },
      filters: [{ field: 'keyword', operator: 'eq', value: ' 女孩 ' }],
    });
    expect(calls[1]!.url).toBe(
      `/api/v1/history/search?keyword=${encodeURIComponent('女孩')}&page=1&pageSize=10`,
    );
  });

  it('deletes one and many; surfaces `{code, message}` errors', async () => {
    const provider = createNanobananaDataProvider();
    await provider.deleteOne({ resource: 'nanobanana_tasks', id: 'x1' });
    await provider.deleteMany!({ resource: 'nanobanana_tasks', ids: ['x1', 'x2'] });
    expect(calls.map((call) => [call.method, call.url, call.body])).toEqual([
      ['DELETE', '/api/v1/history/x1', undefined],
      ['DELETE', '/api/v1/history/batch', { ids: ['x1', 'x2'] }],
    ]);
    replies.push({ status: 404, body: { code: 404, message: '记录不存在' } });
    await expect(provider.getOne({ resource: 'nanobanana_tasks', id: 'gone' })).rejects.toMatchObject({
      statusCode: 404,
      message: '记录不存在',
    });
  });
});
