import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnimeDataProvider, requestAnime } from './anime-data-provider';

interface Call {
  url: string;
  method: string;
  body: unknown;
  auth: string | null;
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
      auth: (init.headers as Record<string, string>).Authorization ?? null,
    });
    const reply = replies.shift() ?? { status: 200, body: { success: true, data: null } };
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const provider = createAnimeDataProvider();

describe('anime data provider', () => {
  it('unwraps {success, data}, passes bare JSON through and turns {success:false} into HttpErrors', async () => {
    replies.push({ status: 200, body: { success: true, data: { a: 1 } } });
    await expect(requestAnime('/api/x')).resolves.toEqual({ a: 1 });
    replies.push({ status: 200, body: { model_id: 'wan/2.5', credits: 300 } });
    await expect(requestAnime('/api/anime-video/quote')).resolves.toEqual({
      model_id: 'wan/2.5',
      credits: 300,
    });
    replies.push({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND', message: 'User not found' } },
    });
    await expect(requestAnime('/api/y')).rejects.toMatchObject({
      statusCode: 404,
      message: 'User not found',
      errors: { code: 'NOT_FOUND' },
    });
    expect(calls.every((call) => call.auth === 'Bearer tok-1')).toBe(true);
  });

  it('lists users server-paged with the search filter and ids from user_id', async () => {
    replies.push({
      status: 200,
      body: {
        success: true,
        data: {
          records: [{ user_id: 'u1', balance: 5, identities: ['telegram:1'] }],
          pagination: { page: 2, limit: 10, total: 11, totalPages: 2 },
        },
      },
    });
    const answer = await provider.getList({
      resource: 'anime_users',
      pagination: { currentPage: 2, pageSize: 10 },
      filters: [{ field: 'q', operator: 'eq', value: 'tele' }],
    });
    expect(calls[0]!.url).toBe('/api/generation/credits/users?page=2&limit=10&q=tele');
    expect(answer).toEqual({
      data: [{ id: 'u1', user_id: 'u1', balance: 5, identities: ['telegram:1'] }],
      total: 11,
    });
  });

  it('lists generations with kind, status and user filters', async () => {
    replies.push({
      status: 200,
      body: { success: true, data: { records: [{ generation_uuid: 'g1' }], pagination: { total: 1 } } },
    });
    const answer = await provider.getList({
      resource: 'anime_generations',
      pagination: { currentPage: 1, pageSize: 20 },
      filters: [
        { field: 'kind', operator: 'eq', value: 'video' },
        { field: 'status', operator: 'eq', value: undefined },
        { field: 'user_id', operator: 'eq', value: 'u1' },
      ],
    });
    expect(calls[0]!.url).toBe(
      '/api/anime-generation/admin/generations?page=1&limit=20&kind=video&user_id=u1',
    );
    expect(answer.data[0]).toMatchObject({ id: 'g1' });
  });

  it('reads a user as their balance and ledger', async () => {
    replies.push({ status: 200, body: { success: true, data: { user_id: 'u1', balance: 7, ledger: [] } } });
    const answer = await provider.getOne({ resource: 'anime_users', id: 'u1' });
    expect(calls[0]!.url).toBe('/api/generation/credits?user_id=u1&limit=200');
    expect(answer.data).toEqual({ id: 'u1', user_id: 'u1', balance: 7, ledger: [] });
  });

  it('pages presets client-side and saves them with PUT kind/key', async () => {
    const preset = (key: string) => ({
      kind: 'style',
      key,
      name: key,
      prompt: 'p',
      sort_order: 0,
      is_active: true,
    });
    replies.push({ status: 200, body: { success: true, data: [preset('a'), preset('b'), preset('c')] } });
    const page = await provider.getList({
      resource: 'anime_presets',
      pagination: { currentPage: 2, pageSize: 2 },
      filters: [{ field: 'kind', operator: 'eq', value: 'style' }],
    });
    expect(calls[0]!.url).toBe('/api/anime-generation/admin/presets?kind=style');
    expect(page).toEqual({ data: [{ ...preset('c'), id: 'style:c' }], total: 3 });

    replies.push({
      status: 200,
      body: { success: true, data: { kind: 'style', key: 'c', name: 'C', prompt: 'q' } },
    });
    const saved = await provider.update({
      resource: 'anime_presets',
      id: 'style:c',
      variables: { kind: 'style', key: 'c', name: 'C', prompt: 'q', sort_order: 3, is_active: false },
    });
    expect(calls[1]).toMatchObject({
      url: '/api/anime-generation/admin/presets/style/c',
      method: 'PUT',
      body: { name: 'C', prompt: 'q', sort_order: 3, is_active: false },
    });
    expect(saved.data.id).toBe('style:c');
  });

  it('creates templates with PUT by key, sending options only for choice variables', async () => {
    replies.push({
      status: 200,
      body: { success: true, data: { template_key: 'cover', name: 'Cover', template: 'x', variables: [] } },
    });
    await provider.create({
      resource: 'anime_templates',
      variables: {
        template_key: 'cover',
        name: 'Cover',
        template: 'Cover {{genre}} {{mood}}',
        variables: [
          { name: 'genre', type: 'enum', required: true, options: ['Fantasy'] },
          { name: 'mood', type: 'string', options: ['stale'] },
        ],
        llm_instructions: '',
      },
    });
    expect(calls[0]).toMatchObject({
      url: '/api/anime-generation/admin/templates/cover',
      method: 'PUT',
      body: {
        name: 'Cover',
        template: 'Cover {{genre}} {{mood}}',
        variables: [
          { name: 'genre', type: 'enum', required: true, options: ['Fantasy'] },
          { name: 'mood', type: 'string', required: false },
        ],
        llm_instructions: null,
        is_active: true,
      },
    });
  });

  it('posts custom actions (grant) through the same envelope', async () => {
    replies.push({ status: 200, body: { success: true, data: { balance: 100 } } });
    const answer = await provider.custom!({
      url: '/api/generation/credits/grant',
      method: 'post',
      payload: { user_id: 'u1', amount: 100 },
    });
    expect(calls[0]).toMatchObject({ method: 'POST', body: { user_id: 'u1', amount: 100 } });
    expect(answer.data).toEqual({ balance: 100 });
  });
});
