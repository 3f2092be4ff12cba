import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStoryDataProvider } from './story-data-provider';

const types = Array.from({ length: 25 }, (_, i) => ({ id: String(i + 1), name: `type-${i + 1}` }));

beforeEach(() => {
  vi.stubGlobal('localStorage', {
    getItem: () => 'tok-1',
    setItem: () => undefined,
    removeItem: () => undefined,
  });
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(types), { status: 200 }));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('story data provider, unpaged catalogs', () => {
  const provider = createStoryDataProvider({
    music_types: { list: '/api/v1/music/types', listShape: 'array' },
  });

  it('pages an array catalog for tables', async () => {
    const page = await provider.getList({
      resource: 'music_types',
      pagination: { currentPage: 2, pageSize: 20 },
    });
    expect(page.total).toBe(25);
    expect(page.data.map((row) => row.name)).toEqual(types.slice(20).map((row) => row.name));
  });

  it('lists every row when paging is off (a select over the whole catalog)', async () => {
    const all = await provider.getList({ resource: 'music_types', pagination: { mode: 'off' } });
    expect(all.data).toHaveLength(25);
    expect(all.total).toBe(25);
  });
});
