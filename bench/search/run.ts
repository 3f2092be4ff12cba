/**
 * `npm run bench:search` — contract 004 search and export at scale (not part of the test suite).
 *
 * 1. Search: 100,000 NanoBanana tasks with realistic Chinese/English/mixed prompts per engine
 *    (SQLite FTS5, MariaDB posting tables); p50/p95 of the full search use case (jieba → index query →
 *    count → page of tasks with images) beside a naive `prompt LIKE '%kw%'` scan, same run.
 * 2. Export: a ZIP of 200 images streamed over HTTP; peak RSS growth of the process.
 *
 * Env: BENCH_TASKS (100000), BENCH_ENGINES (sqlite,mariadb), BENCH_ROUNDS (20),
 * TEST_MYSQL_URL (mysql://root@127.0.0.1:3306/test), REDIS_URL. Writes bench/results/search.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { QueryTypes, type CreationAttributes } from 'sequelize';
import sharp from 'sharp';
import {
  ANONYMOUS_WORKSPACE_USER_ID,
  NANOBANANA_SOURCE,
  createCore,
  searchText,
  loadConfig,
  type AppConfig,
  type Core,
} from '@dreamloom/core';
import { migrateUp } from '@dreamloom/migrations';
import { createServer } from '@dreamloom/server';
import { QUERIES, promptGenerator } from './prompts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const LIKE_ROUNDS = Math.max(2, Math.round(ROUNDS / 5));
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,mariadb').split(',').filter(Boolean) as (
  'sqlite' | 'mariadb'
)[];
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const scope = { ownerKey: ANONYMOUS_WORKSPACE_USER_ID };

interface Stats {
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { samples: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1)!) };
}

function configFor(databaseUrl: string, dataDir: string, port = 0): AppConfig {
  return loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `dlbench-${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port || 8080}`,
    NANOBANANA_ANONYMOUS: 'true',
    NANOBANANA_RATE_PER_SEC: '1000000',
    NANOBANANA_RATE_BURST: '1000000',
  });
}

async function openDatabase(engine: 'sqlite' | 'mariadb') {
  const suffix = randomBytes(4).toString('hex');
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dlbench-'));
    return {
      url: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new URL(MYSQL_URL);
  const connect = () =>
    mysql.createConnection({
      host: admin.hostname,
      port: Number(admin.port || 3306),
      user: decodeURIComponent(admin.username),
      password: decodeURIComponent(admin.password),
    });
  const name = `dl_bench_${suffix}`;
  const connection = await connect();
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = await connect();
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await dropper.end();
    },
  };
}

async function ensureWorkspaceUser(core: Core) {
  const now = new Date();
  await core.models.User.findOrCreate({
    where: { id: ANONYMOUS_WORKSPACE_USER_ID },
    defaults: {
      id: ANONYMOUS_WORKSPACE_USER_ID,
      username: null,
      display_name: 'bench',
      role: 'user',
      created_at: now,
      updated_at: now,
    },
  });
}

/**
 * Inserts `count` completed tasks the way createBatch writes them: task, view (search column by
 * jieba) and search index in one transaction, 1000 tasks per transaction.
 */
async function seedTasks(core: Core, count: number) {
  const next = promptGenerator(42);
  const { GenerationTask } = core.models;
  const { NanobananaTask } = core.nanobanana.models;
  const start = Date.now() - count * 1000;
  const chunk = 1000;
  for (let offset = 0; offset < count; offset += chunk) {
    const tasks: Array<CreationAttributes<InstanceType<typeof GenerationTask>>> = [];
    const views: Array<CreationAttributes<InstanceType<typeof NanobananaTask>>> = [];
    const documents: Parameters<typeof core.nanobanana.searchIndex.add>[0] = [];
    for (let index = offset; index < Math.min(count, offset + chunk); index += 1) {
      const id = core.ids.uuid();
      const prompt = next();
      const at = new Date(start + index * 1000);
      tasks.push({
        id,
        user_id: ANONYMOUS_WORKSPACE_USER_ID,
        source: NANOBANANA_SOURCE,
        kind: 'image',
        provider: 'gemini',
        model: 'gemini-2.5-flash-image',
        prompt,
        params: '{"ratio":"","resolution":"","fanOut":{"concurrency":4}}',
        requested_count: 1,
        completed_count: 1,
        status: 'completed',
        visibility: 'private',
        created_at: at,
        updated_at: at,
      });
      const tokens = core.nanobanana.tokenizer.indexTokens(prompt);
      views.push({
        task_id: id,
        owner_key: ANONYMOUS_WORKSPACE_USER_ID,
        options: '',
        search_text: searchText(tokens),
        created_at: at,
      });
      documents.push({ taskId: id, ownerKey: ANONYMOUS_WORKSPACE_USER_ID, tokens });
    }
    await core.sequelize.transaction(async (transaction) => {
      await GenerationTask.bulkCreate(tasks, { transaction });
      await NanobananaTask.bulkCreate(views, { transaction });
      await core.nanobanana.searchIndex.add(documents, transaction);
    });
    if ((offset / chunk) % 20 === 0) process.stdout.write(`  seeded ${offset + tasks.length}/${count}\r`);
  }
  process.stdout.write('\n');
  if (core.sequelize.getDialect() === 'sqlite') {
    await core.sequelize.query(`INSERT INTO nanobanana_search(nanobanana_search) VALUES ('optimize')`);
    await core.sequelize.query('ANALYZE');
  } else {
    await core.sequelize.query(
      'ANALYZE TABLE nanobanana_tasks, generation_tasks, nanobanana_search_blocks, nanobanana_search_owners, nanobanana_search_docs',
    );
  }
}

/** The naive baseline: scan prompts with LIKE, newest first, plus the count a page needs. */
async function likeSearch(core: Core, keyword: string) {
  const replacements = {
    pattern: `%${keyword}%`,
    owner: ANONYMOUS_WORKSPACE_USER_ID,
    source: NANOBANANA_SOURCE,
  };
  const where = 'source = :source AND user_id = :owner AND prompt LIKE :pattern';
  const rows = await core.sequelize.query<{ id: string }>(
    `SELECT id FROM generation_tasks WHERE ${where} ORDER BY created_at DESC LIMIT 10`,
    { type: QueryTypes.SELECT, replacements },
  );
  const [counted] = await core.sequelize.query<{ total: number }>(
    `SELECT COUNT(*) AS total FROM generation_tasks WHERE ${where}`,
    {
      type: QueryTypes.SELECT,
      replacements,
    },
  );
  return { ids: rows.map((row) => row.id), total: Number(counted?.total ?? 0) };
}

async function time<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await run();
  return [performance.now() - started, result];
}

async function benchEngine(engine: 'sqlite' | 'mariadb') {
  console.log(`\n[${engine}] ${TASKS} tasks`);
  const database = await openDatabase(engine);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dlbench-data-'));
  const core = createCore(configFor(database.url, dataDir));
  try {
    await migrateUp(core.sequelize);
    await ensureWorkspaceUser(core);
    const [seedMs] = await time(() => seedTasks(core, TASKS));
    console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s`);
    // Warm-up: caches, the jieba dictionary, prepared plans.
    for (const keyword of QUERIES) {
      await core.nanobanana.tasks.search(scope, keyword, 1, 10);
      await likeSearch(core, keyword);
    }
    // Other work on the machine moves every number: record the load around the timed part.
    const loadBefore = loadavg().map((value) => Math.round(value * 100) / 100);
    const fts: number[] = [];
    const like: number[] = [];
    const perQuery: Record<string, { total: number; likeTotal: number; ftsP50: number; likeP50: number }> =
      {};
    const perQuerySamples: Record<string, { fts: number[]; like: number[] }> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const keyword of QUERIES) {
        const [ms, result] = await time(() => core.nanobanana.tasks.search(scope, keyword, 1, 10));
        fts.push(ms);
        (perQuerySamples[keyword] ??= { fts: [], like: [] }).fts.push(ms);
        perQuery[keyword] = {
          ...(perQuery[keyword] ?? { likeTotal: 0, ftsP50: 0, likeP50: 0 }),
          total: result.total,
        };
      }
    }
    for (let round = 0; round < LIKE_ROUNDS; round += 1) {
      for (const keyword of QUERIES) {
        const [ms, result] = await time(() => likeSearch(core, keyword));
        like.push(ms);
        perQuerySamples[keyword]!.like.push(ms);
        perQuery[keyword]!.likeTotal = result.total;
      }
    }
    for (const [keyword, samples] of Object.entries(perQuerySamples)) {
      perQuery[keyword]!.ftsP50 = stats(samples.fts).p50;
      perQuery[keyword]!.likeP50 = stats(samples.like).p50;
    }
    const result = {
      engine,
      tasks: TASKS,
      seedSeconds: Math.round(seedMs / 100) / 10,
      loadAverage: { before: loadBefore, after: loadavg().map((value) => Math.round(value * 100) / 100) },
      fulltext: stats(fts),
      like: stats(like),
      perQuery,
    };
    console.log(
      `  full-text search: p50 ${result.fulltext.p50} ms, p95 ${result.fulltext.p95} ms (${fts.length} searches; load ${result.loadAverage.before[0]} → ${result.loadAverage.after[0]})`,
    );
    console.log(
      `  LIKE '%kw%' scan: p50 ${result.like.p50} ms, p95 ${result.like.p95} ms (${like.length} searches)`,
    );
    return result;
  } finally {
    await core.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 200 stored images exported as one ZIP over HTTP; RSS sampled every 5 ms while it streams. */
async function benchExport() {
  const IMAGES = 200;
  console.log(`\n[export] ZIP of ${IMAGES} images`);
  const database = await openDatabase('sqlite');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dlbench-data-'));
  const probe = await import('node:net').then(
    ({ createServer: net }) =>
      new Promise<number>((resolve) => {
        const server = net().listen(0, '127.0.0.1', () => {
          const address = server.address();
          server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
      }),
  );
  const config = configFor(database.url, dataDir, probe);
  const core = createCore(config);
  const server = await createServer(core);
  try {
    await migrateUp(core.sequelize);
    await ensureWorkspaceUser(core);
    const taskId = core.ids.uuid();
    const now = new Date();
    await core.models.GenerationTask.create({
      id: taskId,
      user_id: ANONYMOUS_WORKSPACE_USER_ID,
      source: NANOBANANA_SOURCE,
      kind: 'image',
      provider: 'gemini',
      model: 'gemini-2.5-flash-image',
      prompt: 'export benchmark',
      params: '{"ratio":"","resolution":"","fanOut":{"concurrency":4}}',
      requested_count: IMAGES,
      completed_count: IMAGES,
      status: 'completed',
      created_at: now,
      updated_at: now,
    });
    await core.nanobanana.models.NanobananaTask.create({
      task_id: taskId,
      owner_key: ANONYMOUS_WORKSPACE_USER_ID,
      options: '',
      search_text: '',
      created_at: now,
    });
    // Noise does not compress: each PNG is about as large as its pixels, like real photos.
    const variants = await Promise.all(
      Array.from({ length: 8 }, (_, seed) =>
        sharp({
          create: {
            width: 640,
            height: 640,
            channels: 3,
            // Sharp's types require a background; the noise replaces it.
            background: { r: 0, g: 0, b: 0 },
            noise: { type: 'gaussian', mean: 100 + seed * 10, sigma: 40 },
          },
        })
          .png()
          .toBuffer(),
      ),
    );
    const ids: string[] = [];
    let totalBytes = 0;
    for (let position = 0; position < IMAGES; position += 1) {
      const data = variants[position % variants.length]!;
      const key = `tasks/${taskId}/${position}.png`;
      await core.storage.put(key, data, 'image/png');
      const id = core.ids.snowflake();
      ids.push(id);
      totalBytes += data.length;
      await core.models.MediaAsset.create({
        id,
        task_id: taskId,
        user_id: ANONYMOUS_WORKSPACE_USER_ID,
        position,
        kind: 'image',
        storage_key: key,
        thumbnail_key: null,
        mime: 'image/png',
        width: 640,
        height: 640,
        size_bytes: data.length,
        original_name: null,
        created_at: now,
      });
    }
    variants.length = 0;
    const { url } = await server.listen(probe, '127.0.0.1');
    // The client runs in its own process: the figure is the server's memory while it streams the
    // ZIP, not the downloading client's buffers (which shared this process before and made the
    // peak swing with the client's garbage collection).
    const exportOnce = () =>
      new Promise<number>((resolve, reject) => {
        const client = spawn(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const response = await fetch(process.argv[1], { method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[2] });
if (!response.ok || !response.body) { console.error('export failed: HTTP ' + response.status); process.exit(1); }
let bytes = 0;
for await (const chunk of response.body) bytes += chunk.byteLength;
console.log(bytes);`,
            `${url}/api/v1/images/export`,
            JSON.stringify({ imageIds: ids }),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        client.once('error', reject);
        client.once('exit', (code) =>
          code === 0 ? resolve(Number(out.trim())) : reject(new Error(`export client exited ${code}`)),
        );
      });
    await exportOnce(); // warm-up: code paths, sockets, file cache
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const [ms, zipBytes] = await time(exportOnce);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const result = {
      images: IMAGES,
      imagesMB: mb(totalBytes),
      zipMB: mb(zipBytes),
      seconds: Math.round(ms / 10) / 100,
      baselineRssMB: mb(baseline),
      peakRssMB: mb(peak),
      peakRssGrowthMB: mb(peak - baseline),
    };
    console.log(
      `  ${result.zipMB} MB ZIP in ${result.seconds} s; RSS ${result.baselineRssMB} → peak ${result.peakRssMB} MB (+${result.peakRssGrowthMB} MB)`,
    );
    return result;
  } finally {
    await server.close();
    await core.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const search = [];
  for (const engine of ENGINES) search.push(await benchEngine(engine));
  const exportResult = await benchExport();
  const report = {
    ranAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: (await import('node:os')).cpus().length,
    },
    targets: { searchP95Ms: 20, exportRssGrowthMB: 50 },
    queries: QUERIES,
    search,
    export: exportResult,
  };
  writeFileSync(path.join(ROOT, 'bench/results/search.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nwrote bench/results/search.json');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
