import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostingSearchIndex, SearchTokenizer, createSequelize } from '@dreamloom/core';
import { createMigrator, migrateUp } from '@dreamloom/migrations';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
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

  it('ranks by BM25: of two prompts with the word once, the shorter first; every word must match', async () => {
    const long = await createBatch(system.baseUrl, {
      prompt: '一只麒麟站在高高的山顶上俯瞰着云海和远处城市的灯火，电影质感，细节丰富',
    });
    const short = await createBatch(system.baseUrl, { prompt: '麒麟的肖像' });
    const found = await search('麒麟');
    expect(found.total).toBe(2);
    expect(found.list.map((task) => task.id)).toEqual([short.body.data.id, long.body.data.id]);
    const both = await search('麒麟 山顶');
    expect(both.list.map((task) => task.id)).toEqual([long.body.data.id]);
    expect(both.total).toBe(1);
    await api(system.baseUrl, 'DELETE', '/api/v1/history/batch', {
      body: { ids: [long.body.data.id, short.body.data.id] },
    });
  });

  it('admins search every workspace; a workspace sees only its own tasks', async () => {
    const mine = await createBatch(system.baseUrl, { prompt: '独角仙 beetle 工作区' });
    const admins = await createBatch(
      system.baseUrl,
      { prompt: '独角仙 beetle 管理员' },
      { authorization: `Bearer ${system.admin.token}` },
    );
    expect(admins.status).toBe(200);
    const asAdmin = await api(
      system.baseUrl,
      'GET',
      `/api/v1/history/search?keyword=${encodeURIComponent('独角仙')}`,
      {
        token: system.admin.token,
      },
    );
    expect(asAdmin.body.data.total).toBe(2);
    expect(new Set(asAdmin.body.data.list.map((task: { id: string }) => task.id))).toEqual(
      new Set([mine.body.data.id, admins.body.data.id]),
    );
    const anonymous = await search('beetle');
    expect(anonymous.total).toBe(1);
    expect(anonymous.list.map((task) => task.id)).toEqual([mine.body.data.id]);
    await api(system.baseUrl, 'DELETE', `/api/v1/history/${admins.body.data.id}`, {
      token: system.admin.token,
    });
    await api(system.baseUrl, 'DELETE', `/api/v1/history/${mine.body.data.id}`);
  });

  it('stays exact under concurrent creates and a batch delete', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        createBatch(system.baseUrl, { prompt: `并发 萤火虫 firefly 第${index}张` }),
      ),
    );
    for (const answer of created) expect(answer.status).toBe(200);
    expect((await search('萤火虫')).total).toBe(12);
    expect((await search('firefly 萤火虫', '&pageSize=100')).list).toHaveLength(12);
    const doomed = created.slice(0, 7).map((answer) => answer.body.data.id as string);
    const removed = await api(system.baseUrl, 'DELETE', '/api/v1/history/batch', { body: { ids: doomed } });
    expect(removed.status).toBe(200);
    const left = await search('萤火虫', '&pageSize=100');
    expect(left.total).toBe(5);
    expect(left.list.map((task) => task.id).some((id) => doomed.includes(id))).toBe(false);
    await api(system.baseUrl, 'DELETE', '/api/v1/history/batch', {
      body: { ids: created.slice(7).map((answer) => answer.body.data.id) },
    });
    expect((await search('firefly')).total).toBe(0);
  });

  it('forgets deleted tasks', async () => {
    const extra = await createBatch(system.baseUrl, { prompt: '独角兽 unicorn', count: 1 });
    expect((await search('独角兽')).total).toBe(1);
    await api(system.baseUrl, 'DELETE', `/api/v1/history/${extra.body.data.id}`);
    expect((await search('独角兽')).total).toBe(0);
    expect((await search('unicorn')).total).toBe(0);
  });
});

/** Both engines order the newest `NANOBANANA_SEARCH_RELEVANCE_WINDOW` matches by relevance, then go newest first. */
describe.each(['sqlite', 'mariadb'] as const)(
  'NanoBanana search paging across the relevance window (%s)',
  (db) => {
    let system: RunningSystem;
    const ids: string[] = [];

    beforeAll(async () => {
      system = await startSystem({
        db,
        worker: false,
        env: {
          NANOBANANA_ANONYMOUS: 'true',
          NANOBANANA_SEARCH_RELEVANCE_WINDOW: '10',
          NANOBANANA_RATE_PER_SEC: '100000',
          NANOBANANA_RATE_BURST: '100000',
        },
      });
      // MariaDB packs postings per 4096 seqs: start just below a boundary so the tasks span two blocks.
      if (db === 'mariadb')
        await system.core.sequelize.query('ALTER TABLE nanobanana_search_docs AUTO_INCREMENT = 4090');
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
  },
);

/** Migration 0007 indexes the tasks that exist when it runs (MariaDB), oldest first. */
describe('NanoBanana search index backfill (migration 0007, MariaDB)', () => {
  let database: TestDatabase;
  let sequelize: ReturnType<typeof createSequelize>;

  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
    sequelize = createSequelize(database.url);
  });
  afterAll(async () => {
    await sequelize?.close();
    await database?.drop();
  });

  it('indexes existing tasks from their stored tokens and drops the FULLTEXT index', async () => {
    await createMigrator(sequelize).up({ to: '0005-anime-credits' });
    const tokenizer = new SearchTokenizer();
    const owner = 'b0000000-0000-4000-8000-000000000007';
    const at = (second: number) => `2026-01-01 00:00:${String(second).padStart(2, '0')}.000`;
    await sequelize.query(
      `INSERT INTO users (id, role, is_disabled, created_at, updated_at) VALUES ('${owner}', 'user', 0, '${at(0)}', '${at(0)}')`,
    );
    const prompts = ['老猫在屋顶晒太阳', '小猫咪 cat 在花园', '猫 猫 猫 三只猫', '一条龙'];
    for (const [index, prompt] of prompts.entries()) {
      const id = `t0000000-0000-4000-8000-00000000000${index}`;
      await sequelize.query(
        `INSERT INTO generation_tasks (id, user_id, source, kind, provider, model, prompt, params, status, created_at, updated_at)
         VALUES (:id, :owner, 'nanobanana', 'image', 'gemini', 'm', :prompt, '{}', 'completed', :at, :at)`,
        { replacements: { id, owner, prompt, at: at(index + 1) } },
      );
      await sequelize.query(
        `INSERT INTO nanobanana_tasks (task_id, owner_key, options, search_text, created_at) VALUES (:id, :owner, '', :text, :at)`,
        { replacements: { id, owner, text: tokenizer.indexText(prompt), at: at(index + 1) } },
      );
    }
    expect(await migrateUp(sequelize)).toContain('0007-nanobanana-search-postings');
    const index = new PostingSearchIndex(sequelize, 1000);
    const cats = await index.search(owner, tokenizer.queryTokens('猫'), 10, 0);
    expect(cats.total).toBe(3);
    // Most occurrences first (BM25 term frequency).
    expect(cats.ids[0]).toBe('t0000000-0000-4000-8000-000000000002');
    expect(new Set(cats.ids)).toEqual(
      new Set([
        't0000000-0000-4000-8000-000000000000',
        't0000000-0000-4000-8000-000000000001',
        't0000000-0000-4000-8000-000000000002',
      ]),
    );
    expect(await index.search(owner, ['cat'], 10, 0)).toEqual({
      ids: ['t0000000-0000-4000-8000-000000000001'],
      total: 1,
    });
    const [docs] = await sequelize.query('SELECT task_id FROM nanobanana_search_docs ORDER BY seq');
    expect((docs as { task_id: string }[]).map((row) => row.task_id.slice(-1))).toEqual(['0', '1', '2', '3']);
    const [fulltext] = await sequelize.query(
      "SHOW INDEX FROM nanobanana_tasks WHERE Key_name = 'nanobanana_tasks_search'",
    );
    expect(fulltext).toEqual([]);
    // And back: 0007's down restores the FULLTEXT index and drops the index tables.
    await createMigrator(sequelize).down({ to: '0007-nanobanana-search-postings' });
    const [restored] = await sequelize.query(
      "SHOW INDEX FROM nanobanana_tasks WHERE Key_name = 'nanobanana_tasks_search'",
    );
    expect(restored).toHaveLength(1);
  });
});
