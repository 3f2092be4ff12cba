import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { createBatch } from './support/nanobanana/helpers.js';

const PROMPTS = {
  redGirl: '一个穿着红色衣服的女孩站在森林里',
  oilGirl: '油画风格的小女孩在花园里',
  cat: '一只可爱的猫咪在花园里玩耍',
  english: 'beautiful girl portrait, oil painting style',
  vlog: '油画 vlog 封面，夕阳下的海边',
  realism: '写实绘画创作：老人的肖像',
  girlAndCat: '女孩和猫一起睡觉',
  city: '城市夜景 cyberpunk city at night',
  womanChild: '女人和孩子在公园散步',
  manyGirls: '女孩 女孩 女孩，三个女孩的合影',
} as const;
type Name = keyof typeof PROMPTS;

/**
 * Search relevance on both engines: jieba tokens at write time, FTS5 (SQLite) and FULLTEXT
 * (MariaDB) at read time; Chinese, English, mixed, and one- or two-character queries.
 */
describe.each(['sqlite', 'mariadb'] as const)('NanoBanana search on %s', (db) => {
  let system: RunningSystem;
  const ids = {} as Record<Name, string>;
  const nameOf = (id: string) => (Object.keys(ids) as Name[]).find((name) => ids[name] === id);
  const search = async (keyword: string, query = '') => {
    const answer = await api(
      system.baseUrl,
      'GET',
      `/api/v1/history/search?keyword=${encodeURIComponent(keyword)}${query}`,
    );
    expect(answer.status).toBe(200);
    return answer.body.data as { list: { id: string }[]; total: number; keyword: string; pageSize: number };
  };
  const names = async (keyword: string) => (await search(keyword)).list.map((task) => nameOf(task.id));

  beforeAll(async () => {
    // No worker: tasks stay processing, which search does not care about.
    system = await startSystem({
      db,
      worker: false,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
    for (const [name, prompt] of Object.entries(PROMPTS) as [Name, string][]) {
      const created = await createBatch(system.baseUrl, { prompt, count: 1 });
      expect(created.status).toBe(200);
      ids[name] = created.body.data.id;
    }
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('finds two-character words, not their characters scattered (女孩 ≠ 女人和孩子)', async () => {
    const found = await names('女孩');
    expect(new Set(found)).toEqual(new Set(['redGirl', 'oilGirl', 'girlAndCat', 'manyGirls']));
    expect(found).not.toContain('womanChild');
  });

  it('finds a one-character query inside longer words (猫 → 猫咪)', async () => {
    expect(new Set(await names('猫'))).toEqual(new Set(['cat', 'girlAndCat']));
  });

  it('requires every segmented word (油画女孩 → 油画 + 女孩)', async () => {
    expect(await names('油画女孩')).toEqual(['oilGirl']);
    expect(new Set(await names('油画'))).toEqual(new Set(['oilGirl', 'vlog']));
    expect(await names('写实绘画')).toEqual(['realism']);
    expect(new Set(await names('花园'))).toEqual(new Set(['oilGirl', 'cat']));
  });

  it('searches English words, case-insensitively, and mixed Chinese/English', async () => {
    expect(await names('vlog')).toEqual(['vlog']);
    expect(await names('油画vlog')).toEqual(['vlog']);
    expect(await names('beautiful girl')).toEqual(['english']);
    expect(await names('GIRL')).toEqual(['english']);
    expect(await names('cyberpunk 夜景')).toEqual(['city']);
  });

  it('ranks by relevance: more occurrences first', async () => {
    const found = await names('女孩');
    expect(found[0]).toBe('manyGirls');
  });

  it('pages, echoes keyword and pageSize, and finds nothing for absent words', async () => {
    const page = await search('女孩', '&page=2&pageSize=3');
    expect(page.total).toBe(4);
    expect(page.list).toHaveLength(1);
    expect(page.pageSize).toBe(3);
    expect(page.keyword).toBe('女孩');
    const pastTheEnd = await search('女孩', '&page=5&pageSize=3');
    expect(pastTheEnd.list).toEqual([]);
    expect(pastTheEnd.total).toBe(4);
    expect((await search('不存在的词语')).total).toBe(0);
    expect((await search('"; DROP TABLE')).total).toBe(0);
    expect((await search('*')).total).toBe(0);
  });

  it('forgets deleted tasks', async () => {
    const extra = await createBatch(system.baseUrl, { prompt: '独角兽 unicorn', count: 1 });
    expect((await search('独角兽')).total).toBe(1);
    await api(system.baseUrl, 'DELETE', `/api/v1/history/${extra.body.data.id}`);
    expect((await search('独角兽')).total).toBe(0);
    expect((await search('unicorn')).total).toBe(0);
  });
});

/** SQLite orders the newest `NANOBANANA_SEARCH_RELEVANCE_WINDOW` matches by relevance, then goes newest first. */
describe('NanoBanana search paging across the relevance window (SQLite)', () => {
  let system: RunningSystem;
  const ids: string[] = [];

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_SEARCH_RELEVANCE_WINDOW: '10',
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
    for (let index = 0; index < 15; index += 1) {
      const prompt = index === 12 ? '星空 星空 星空 星空 银河' : `星空下的小镇 第${index}张`;
      const created = await createBatch(system.baseUrl, { prompt, count: 1 });
      ids.push(created.body.data.id);
    }
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('puts the most relevant recent match first and pages through every match exactly once', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page += 1) {
      const answer = await api(
        system.baseUrl,
        'GET',
        `/api/v1/history/search?keyword=${encodeURIComponent('星空')}&page=${page}&pageSize=4`,
      );
      expect(answer.body.data.total).toBe(15);
      if (page === 1) expect(answer.body.data.list[0].id).toBe(ids[12]);
      seen.push(...answer.body.data.list.map((task: { id: string }) => task.id));
    }
    expect(seen).toHaveLength(15);
    expect(new Set(seen)).toEqual(new Set(ids));
    // Past the window (the 5 oldest), results continue newest first.
    expect(seen.slice(10)).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
  });
});
