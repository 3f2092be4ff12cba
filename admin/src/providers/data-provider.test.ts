import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDataProvider,
  resourceActionUrl,
  type CreateManyResult,
  type ResourceApiMap,
} from './data-provider';

const apis: ResourceApiMap = {
  jimeng_accounts: {
    list: '/api/v1/jimeng/accounts/list',
    filters: ['account_status', 'site_type'],
    create: '/api/v1/jimeng/accounts/create',
    update: '/api/v1/jimeng/accounts/update',
    delete: '/api/v1/jimeng/accounts/delete',
    recordsKey: 'accounts',
    actions: { reset: '/api/v1/jimeng/accounts/reset-status' },
  },
  jimeng_records: {
    list: '/api/v1/jimeng/records/list',
    detail: '/api/v1/jimeng/records/detail',
    delete: '/api/v1/jimeng/records/delete',
    metaParams: ['type', 'work_id'],
  },
  jimeng_batches: {
    list: '/api/v1/jimeng/batch/list',
    detail: '/api/v1/jimeng/batch/:id/status',
    actions: { retry: '/api/v1/jimeng/batch/:batch_id/retry' },
  },
};

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
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
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const reply = replies.shift() ?? { status: 200, body: { code: 200, message: 'ok', data: null } };
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const provider = () => createDataProvider(apis);
const row = (id: string) => ({ id, jimeng_account: `acc-${id}`, session_id: 'abcd…wxyz' });

describe('createDataProvider (contract 003 envelope)', () => {
  it('maps pagination and declared filters to page/size query params and unwraps the list', async () => {
    replies.push({
      status: 200,
      body: { code: 200, message: '查询成功', data: { total: 41, page: 2, size: 20, list: [row('7')] } },
    });
    const result = await provider().getList({
      resource: 'jimeng_accounts',
      pagination: { currentPage: 2, pageSize: 20 },
      filters: [
        { field: 'account_status', operator: 'in', value: ['2'] },
        { field: 'site_type', operator: 'eq', value: 'hk' },
        { field: 'not_declared', operator: 'eq', value: 'x' },
      ],
    });
    expect(result).toEqual({ data: [row('7')], total: 41 });
    expect(calls[0].url).toBe('/api/v1/jimeng/accounts/list?page=2&size=20&account_status=2&site_type=hk');
    expect(calls[0].headers.Authorization).toBe('Bearer tok-1');
  });

  it('wraps a single create in accounts:[...] and createMany in one call with the summary', async () => {
    replies.push({
      status: 200,
      body: { code: 200, message: '账号创建成功', data: { success_count: 1, failed_count: 0 } },
    });
    replies.push({
      status: 200,
      body: { code: 200, message: '账号创建成功', data: { success_count: 2, failed_count: 1 } },
    });
    const one = { jimeng_account: 'a', jimeng_account_type: 0, session_id: 'session-1' };
    await provider().create({ resource: 'jimeng_accounts', variables: one });
    const many = (await provider().createMany!({
      resource: 'jimeng_accounts',
      variables: [one, one, one],
    })) as CreateManyResult<typeof one>;
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/v1/jimeng/accounts/create', { accounts: [one] }],
      ['POST', '/api/v1/jimeng/accounts/create', { accounts: [one, one, one] }],
    ]);
    expect(many.summary).toMatchObject({ success_count: 2, failed_count: 1 });
  });

  it('sends updates as accounts:[{id, ...changes}] and fails when nothing was updated', async () => {
    replies.push({
      status: 200,
      body: { code: 200, message: '账号修改成功', data: { success_count: 1, failed_count: 0 } },
    });
    replies.push({
      status: 200,
      body: { code: 200, message: '账号修改成功', data: { success_count: 0, failed_count: 1 } },
    });
    await provider().update({ resource: 'jimeng_accounts', id: '9', variables: { priority: 5 } });
    expect(calls[0].body).toEqual({ accounts: [{ priority: 5, id: '9' }] });
    await expect(
      provider().update({ resource: 'jimeng_accounts', id: '10', variables: { priority: 5 } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('deletes by ids for one and many', async () => {
    await provider().deleteOne({ resource: 'jimeng_accounts', id: '1' });
    await provider().deleteMany!({ resource: 'jimeng_accounts', ids: ['2', '3'] });
    expect(calls.map((c) => c.body)).toEqual([{ ids: ['1'] }, { ids: ['2', '3'] }]);
  });

  it('finds one record by paging through the list when there is no detail endpoint', async () => {
    replies.push({
      status: 200,
      body: {
        code: 200,
        data: { total: 150, page: 1, size: 100, list: Array.from({ length: 100 }, (_, i) => row(`p1-${i}`)) },
      },
    });
    replies.push({
      status: 200,
      body: { code: 200, data: { total: 150, page: 2, size: 100, list: [row('wanted')] } },
    });
    const { data } = await provider().getOne({ resource: 'jimeng_accounts', id: 'wanted' });
    expect(data).toEqual(row('wanted'));
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/jimeng/accounts/list?page=1&size=100',
      '/api/v1/jimeng/accounts/list?page=2&size=100',
    ]);
  });

  it('uses a declared detail endpoint and meta params for other resources', async () => {
    replies.push({ status: 200, body: { code: 200, data: { id: 'r1' } } });
    await provider().getOne({ resource: 'jimeng_records', id: 'r1', meta: { type: 'image' } });
    await provider().deleteMany!({ resource: 'jimeng_records', ids: ['r1'], meta: { type: 'video' } });
    expect(calls[0].url).toBe('/api/v1/jimeng/records/detail?type=image&id=r1');
    expect(calls[1].body).toEqual({ type: 'video', ids: ['r1'] });
  });

  it('puts the id in the path when the detail endpoint says :id, and fills action path params', async () => {
    replies.push({ status: 200, body: { code: 200, data: { batch_id: 'b/1' } } });
    const { data } = await provider().getOne({ resource: 'jimeng_batches', id: 'b/1' });
    expect(data).toEqual({ batch_id: 'b/1' });
    expect(calls[0].url).toBe('/api/v1/jimeng/batch/b%2F1/status');
    expect(resourceActionUrl(apis, 'jimeng_batches', 'retry', { batch_id: '42' })).toBe(
      '/api/v1/jimeng/batch/42/retry',
    );
    expect(() => resourceActionUrl(apis, 'jimeng_batches', 'retry')).toThrow(/batch_id/);
  });

  it('calls custom actions and turns error envelopes into HttpErrors with the server message', async () => {
    replies.push({ status: 200, body: { code: 200, message: '账号状态重置成功' } });
    replies.push({ status: 404, body: { code: 404, message: 'Account not found' } });
    replies.push({ status: 200, body: { code: 500, message: 'gateway down' } });
    const url = resourceActionUrl(apis, 'jimeng_accounts', 'reset');
    const ok = await provider().custom!({ url, method: 'post', payload: { id: '1' } });
    expect(ok.data).toEqual({ message: '账号状态重置成功' });
    expect(calls[0]).toMatchObject({
      url: '/api/v1/jimeng/accounts/reset-status',
      method: 'POST',
      body: { id: '1' },
    });
    await expect(provider().custom!({ url, method: 'post', payload: { id: 'x' } })).rejects.toEqual({
      statusCode: 404,
      message: 'Account not found',
    });
    await expect(provider().getList({ resource: 'jimeng_accounts' })).rejects.toEqual({
      statusCode: 500,
      message: 'gateway down',
    });
  });
});
