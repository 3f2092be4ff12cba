/**
 * `npm run bench:api` — how many of the reads members poll one server process answers, beside a
 * bare Koa process serving the very same bodies, in the same run (not part of the test suite).
 *
 * The server, a worker, the provider sandbox and the bare Koa process run as their own processes
 * (as deployed). The bench seeds through the public API (two members: one through the bots'
 * credential, one with a wallet `paw_` token; finished image generations, 004 batches and a story
 * conversation), stops the worker and the sandbox so the server has its CPU to itself, reads each
 * route's answer once and hands those bodies to the bare Koa process. Then, per route, autocannon
 * keeps BENCH_CONNECTIONS connections busy for BENCH_DURATION_S seconds against Dreamloom and
 * against bare Koa, alternately, BENCH_ROUNDS times (the order rotating), after a short warm-up.
 *
 * Routes: GET /api/generation/status/{uuid} (bot headers, and a bearer token),
 * GET /api/anime-generation/history (bot headers), GET /api/v1/story_chat/history-messages
 * (paw_ token), 004 GET /api/v1/generate/status/{id} and GET /api/v1/history (token; the per-IP
 * limit raised for the run).
 *
 * Env: BENCH_DB (sqlite | mariadb; default sqlite), BENCH_CONNECTIONS (50), BENCH_DURATION_S (8),
 * BENCH_ROUNDS (2), BENCH_ROUTES (comma-separated route keys, default all), BENCH_PROFILE_DIR
 * (writes a CPU profile of the server), TEST_MYSQL_URL, REDIS_URL.
 * Writes bench/results/api-<db>.json and bench/results/api-<db>.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { deleteRedisPrefix } from '../../tests/support/redis-prefix.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freePort } from '../../tests/support/cluster/free-port.js';
import { createTestDatabase } from '../../tests/support/databases.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DB = (process.env.BENCH_DB ?? 'sqlite') as 'mariadb' | 'sqlite';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const ANIME_TASKS = 22;
const NANOBANANA_BATCHES = 12;
const STORY_EXCHANGES = 10;

/** Runs a TypeScript entry point as its own process; BENCH_PROFILE_DIR profiles the server. */
function spawnEntry(entry: string, env: Record<string, string>): ChildProcess {
  const profile =
    process.env.BENCH_PROFILE_DIR && entry === 'server/src/main.ts'
      ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
  return spawn(
    process.execPath,
    [...profile, '--conditions=source', '--import', 'tsx', path.join(ROOT, entry)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', process.env.BENCH_TRACE ? 'inherit' : 'ignore'],
    },
  );
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

/** CPU time (user + system, ms) a child process has used so far; null where /proc is missing. */
function cpuMs(child: ChildProcess): number | null {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

async function waitFor(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function call(
  base: string,
  method: string,
  route: string,
  headers: Record<string, string>,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, read field by field
): Promise<{ status: number; type: string; text: string; json: any }> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // an event stream
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, json };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface BenchRoute {
  key: string;
  label: string;
  path: string;
  headers: Record<string, string>;
}

interface Sample {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system) the answering process spent per answer. */
  cpuMsPerRequest?: number;
}

async function drive(url: string, headers: Record<string, string>, durationS: number): Promise<Sample> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: durationS, headers });
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-bench-api-'));

async function main() {
  const sandboxPort = await freePort();
  const serverPort = await freePort();
  const barePort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const base = `http://127.0.0.1:${serverPort}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  const prefix = `dlbench-${randomBytes(4).toString('hex')}`;
  const botToken = `bench-${randomBytes(12).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const database = await createTestDatabase(DB);
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(serverPort),
    PUBLIC_URL: base,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOT_API_TOKEN: botToken,
    ADMIN_PASSWORD: randomBytes(12).toString('hex'),
    LLM_BASE_URL: `${sandboxUrl}/openai/v1`,
    LLM_API_KEY: 'sandbox-llm-key',
    JIMENG_BASE_URL: `${sandboxUrl}/jimeng`,
    KIE_BASE_URL: `${sandboxUrl}/kie`,
    GEMINI_BASE_URL: `${sandboxUrl}/gemini`,
    DREAMLOOM_SEED_DEMO: 'true',
    // The run's single client would exhaust the member and per-IP limits in a second.
    STORY_RATE_LIMIT_PER_MIN: '100000000',
    NANOBANANA_RATE_PER_SEC: '100000000',
    NANOBANANA_RATE_BURST: '100000000',
  };
  const sandbox = spawnEntry('sandbox/src/main.ts', {
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_LATENCY_MS: '0',
    SANDBOX_IMAGE_SCALE: '0.125',
  });
  const server = spawnEntry('server/src/main.ts', env);
  let worker: ChildProcess | null = null;
  let bare: ChildProcess | null = null;

  try {
    await waitFor(`${sandboxUrl}/__sandbox/settings`);
    await waitFor(`${base}/api/docs/openapi.json`);
    // The worker bootstraps after the server has migrated the database.
    worker = spawnEntry('server/src/worker-main.ts', { ...env, PORT: String(await freePort()) });
    await call(
      sandboxUrl,
      'POST',
      '/__sandbox/settings',
      {},
      { chatFirstTokenMs: 0, chatChunkIntervalMs: 0 },
    );

    // Member one acts through the bots' credential (as the Discord and Telegram bots do).
    const bot = { authorization: `Bot ${botToken}`, 'x-platform': 'discord', 'x-platform-user-id': 'bench0' };
    // Member two signs in with a wallet (contract 002's paw_ token), as web clients do.
    const account = privateKeyToAccount(generatePrivateKey());
    const challenge = await call(base, 'POST', '/api/v1/auth/nonce', {}, { wallet_address: account.address });
    const signature = await account.signMessage({ message: challenge.json.message });
    const login = await call(
      base,
      'POST',
      '/api/v1/auth/login',
      {},
      { wallet_address: account.address, signature },
    );
    if (login.status !== 200) throw new Error(`wallet login: ${login.text}`);
    const wallet = { authorization: `Bearer ${login.json.access_token}` };

    // Finished image generations: a full history page for the bot member, one for the wallet member.
    const createAndFinish = async (headers: Record<string, string>, prompt: string) => {
      const created = await call(base, 'POST', '/api/anime-generation/create-task', headers, {
        prompt,
        batch_size: 2,
      });
      if (created.status !== 200) throw new Error(`create-task: ${created.text}`);
      const uuid = created.json.data.generation_uuid as string;
      await until(`generation ${uuid}`, async () => {
        const status = await call(base, 'GET', `/api/generation/status/${uuid}`, headers);
        if (status.json?.status === 'failed') throw new Error(`generation failed: ${status.text}`);
        return status.json?.status === 'completed' ? true : undefined;
      });
      return uuid;
    };
    const botTasks: string[] = [];
    for (let index = 0; index < ANIME_TASKS; index += 3)
      botTasks.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(3, ANIME_TASKS - index) }, (_, at) =>
            createAndFinish(bot, `a fox spirit under lanterns, take ${index + at}`),
          ),
        )),
      );
    const walletTask = await createAndFinish(wallet, 'a lighthouse keeper reading at night');

    // 004 batches of the wallet member.
    const batches: string[] = [];
    for (let index = 0; index < NANOBANANA_BATCHES; index += 1) {
      const created = await call(base, 'POST', '/api/v1/generate/batch', wallet, {
        prompt: `watercolor harbour at dawn, variant ${index}`,
        model: 'gemini-2.5-flash-image',
        count: 2,
        apiKey: 'AIzaSy-bench-key-0001',
      });
      if (created.status !== 200) throw new Error(`004 batch: ${created.text}`);
      batches.push(created.json.data.id as string);
    }
    for (const id of batches)
      await until(`004 task ${id}`, async () => {
        const status = await call(base, 'GET', `/api/v1/generate/status/${id}`, wallet);
        return status.json?.data?.status === 'completed' ? true : undefined;
      });

    // A story conversation of the wallet member with a few exchanges.
    const stories = await call(base, 'GET', '/api/v1/story/published', wallet);
    const story = (
      stories.json as Array<{ id: string; title: string; characterDetails: Array<{ id: string }> }>
    ).find((candidate) => candidate.title === 'The Lantern Inn');
    if (!story) throw new Error('demo story missing');
    const conversation = await call(base, 'POST', '/api/v1/conversation', wallet, { story_id: story.id });
    const conversationId = conversation.json.id as string;
    for (let exchange = 0; exchange < STORY_EXCHANGES; exchange += 1) {
      const reply = await call(base, 'POST', '/api/v1/story_chat/generate-response', wallet, {
        history_length: 25,
        character_id: story.characterDetails[exchange % story.characterDetails.length].id,
        conversation_id: conversationId,
        user_message: `Who is at the door? (line ${exchange})`,
        is_first_response: true,
      });
      if (reply.status !== 200) throw new Error(`generate-response: ${reply.text}`);
    }

    // Only the server runs from here on: its CPU is its own (the bench client shares the machine).
    await stop(worker);
    await stop(sandbox);

    const routes: BenchRoute[] = [
      {
        key: 'status-bot',
        label: 'GET /api/generation/status/{uuid} (bot headers)',
        path: `/api/generation/status/${botTasks[0]}`,
        headers: bot,
      },
      {
        key: 'status-token',
        label: 'GET /api/generation/status/{uuid} (bearer token)',
        path: `/api/generation/status/${walletTask}`,
        headers: wallet,
      },
      {
        key: 'anime-history',
        label: 'GET /api/anime-generation/history (bot headers, 20 per page)',
        path: '/api/anime-generation/history',
        headers: bot,
      },
      {
        key: 'story-history',
        label: 'GET /api/v1/story_chat/history-messages (paw_ token)',
        path: `/api/v1/story_chat/history-messages?conversation_id=${conversationId}`,
        headers: wallet,
      },
      {
        key: '004-status',
        label: 'GET /api/v1/generate/status/{id} (004, token)',
        path: `/api/v1/generate/status/${batches[0]}`,
        headers: wallet,
      },
      {
        key: '004-history',
        label: 'GET /api/v1/history (004, token, 10 per page)',
        path: '/api/v1/history',
        headers: wallet,
      },
    ].filter((route) => !process.env.BENCH_ROUTES || process.env.BENCH_ROUTES.split(',').includes(route.key));

    // The bare process serves exactly what Dreamloom answered.
    const bodies: Record<string, { type: string; body: string }> = {};
    for (const route of routes) {
      const answer = await call(base, 'GET', route.path, route.headers);
      if (answer.status !== 200) throw new Error(`${route.label}: HTTP ${answer.status} ${answer.text}`);
      bodies[route.path] = { type: answer.type, body: answer.text };
    }
    const bodiesFile = path.join(dataDir, 'bare-bodies.json');
    writeFileSync(bodiesFile, JSON.stringify(bodies));
    bare = spawnEntry('bench/api/bare-koa.ts', { BARE_PORT: String(barePort), BARE_BODIES: bodiesFile });
    await waitFor(`${bareBase}/`);

    const results: Array<{
      key: string;
      label: string;
      bodyBytes: number;
      dreamloom: Sample[];
      bareKoa: Sample[];
    }> = [];
    for (const route of routes) {
      const entry = {
        key: route.key,
        label: route.label,
        bodyBytes: 0,
        dreamloom: [] as Sample[],
        bareKoa: [] as Sample[],
      };
      entry.bodyBytes = Buffer.byteLength(bodies[route.path].body);
      // Warm-up (not recorded): connections, the JIT, statement caches, whatever caches the server keeps.
      await drive(`${base}${route.path}`, route.headers, 2);
      await drive(`${bareBase}${route.path}`, route.headers, 1);
      for (let round = 0; round < ROUNDS; round += 1) {
        const sides = round % 2 === 0 ? (['dreamloom', 'bare'] as const) : (['bare', 'dreamloom'] as const);
        for (const side of sides) {
          // CPU per answer of the answering process: on a machine shared with other work, req/s
          // says how much CPU the process got; CPU per answer says what an answer costs.
          const answering = side === 'bare' ? bare : server;
          const cpuBefore = cpuMs(answering);
          const sample = await drive(
            `${side === 'bare' ? bareBase : base}${route.path}`,
            route.headers,
            DURATION_S,
          );
          const cpuAfter = cpuMs(answering);
          if (cpuBefore !== null && cpuAfter !== null && sample.requestsPerSec > 0)
            sample.cpuMsPerRequest =
              Math.round(((cpuAfter - cpuBefore) / (sample.requestsPerSec * DURATION_S)) * 1000) / 1000;
          (side === 'bare' ? entry.bareKoa : entry.dreamloom).push(sample);
        }
      }
      console.log(
        `${route.label}: Dreamloom ${entry.dreamloom.map((s) => s.requestsPerSec).join(', ')} req/s; bare Koa ${entry.bareKoa.map((s) => s.requestsPerSec).join(', ')} req/s`,
      );
      results.push(entry);
    }

    const summarize = (samples: Sample[]) => {
      const measured = samples.filter((s) => s.cpuMsPerRequest !== undefined);
      const cpu = measured.length
        ? Math.round((measured.reduce((sum, s) => sum + s.cpuMsPerRequest!, 0) / measured.length) * 1000) /
          1000
        : null;
      return {
        requestsPerSec: Math.round(samples.reduce((sum, s) => sum + s.requestsPerSec, 0) / samples.length),
        p50: Math.max(...samples.map((s) => s.p50)),
        p99: Math.max(...samples.map((s) => s.p99)),
        non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
        errors: samples.reduce((sum, s) => sum + s.errors, 0),
        cpuMsPerRequest: cpu,
        /** Answers per second one core would give this process alone: 1000 / CPU ms per answer. */
        perCoreCapacity: cpu ? Math.round(1000 / cpu) : null,
      };
    };
    // The committed figures from before this work (bench/results/api-<db>-before.json), if present.
    const beforeFile = path.join(ROOT, `bench/results/api-${DB}-before.json`);
    const before = existsSync(beforeFile)
      ? (
          JSON.parse(readFileSync(beforeFile, 'utf8')) as {
            routes: Array<{
              key: string;
              dreamloom: { requestsPerSec: number };
              serverCpuMsPerRequest: number | null;
            }>;
          }
        ).routes
      : [];
    const summary = results.map((entry) => ({
      key: entry.key,
      label: entry.label,
      bodyBytes: entry.bodyBytes,
      dreamloom: summarize(entry.dreamloom),
      bareKoa: summarize(entry.bareKoa),
      before: before.find((row) => row.key === entry.key) ?? null,
    }));
    const result = {
      benchmark: 'api read capacity of one server process',
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        node: process.version,
        loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
      },
      settings: { database: DB, connections: CONNECTIONS, durationS: DURATION_S, rounds: ROUNDS },
      targets: { statusPerSec: 3000, historyPerSec: 1500, p99Ms: 50, database: 'mariadb' },
      routes: summary,
      samples: results,
    };
    const file = `api-${DB}`;
    writeFileSync(path.join(ROOT, `bench/results/${file}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      `# API read capacity of one server process (${DB === 'mariadb' ? 'MariaDB' : 'SQLite'})`,
      '',
      `Run ${result.date} on ${result.machine.cpus} × ${result.machine.cpu ?? 'CPU'}, Node ${result.machine.node}; load average (1 min) at the end: ${result.machine.loadAverage1m}.`,
      `autocannon, ${CONNECTIONS} connections, ${ROUNDS} × ${DURATION_S} s per side and route (sides alternating, after a warm-up); the client runs on the same two cores as the server. Bare Koa answers the same URL with the body Dreamloom answered it with. req/s is the mean over the rounds, p50/p99 the worst round's.`,
      '',
      '| route | body bytes | Dreamloom req/s | p50 ms | p99 ms | CPU ms/answer | per core | bare Koa req/s | p50 ms | p99 ms | CPU ms/answer | per core | before: req/s, CPU ms/answer |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...summary.map(
        (row) =>
          `| ${row.label} | ${row.bodyBytes} | ${row.dreamloom.requestsPerSec} | ${row.dreamloom.p50} | ${row.dreamloom.p99} | ${row.dreamloom.cpuMsPerRequest ?? '–'} | ${row.dreamloom.perCoreCapacity ?? '–'} | ${row.bareKoa.requestsPerSec} | ${row.bareKoa.p50} | ${row.bareKoa.p99} | ${row.bareKoa.cpuMsPerRequest ?? '–'} | ${row.bareKoa.perCoreCapacity ?? '–'} | ${row.before ? `${row.before.dreamloom.requestsPerSec}, ${row.before.serverCpuMsPerRequest ?? '–'}` : '–'} |`,
      ),
      '',
      '"per core": answers per second of one dedicated core (1000 / CPU ms per answer), the figure that other work on this shared machine disturbs least; req/s and latencies depend on how much CPU the process got during the run (load average above).',
      '',
      `Non-2xx answers or errors: ${summary.map((row) => `${row.key} ${row.dreamloom.non2xx + row.dreamloom.errors}`).join(', ')} (must all be 0).`,
      '',
      'Targets (issue 14, MariaDB): ≥ 3,000 status polls/s and ≥ 1,500 history pages/s at p99 ≤ 50 ms.',
      '',
      'Reproduce: `npm run bench:api` (SQLite) and `BENCH_DB=mariadb npm run bench:api`; needs Redis (and',
      'MariaDB); env BENCH_CONNECTIONS, BENCH_DURATION_S, BENCH_ROUNDS, BENCH_ROUTES, BENCH_PROFILE_DIR.',
      '',
    ].join('\n');
    writeFileSync(path.join(ROOT, `bench/results/${file}.md`), md);
    console.log(md);
  } finally {
    await Promise.all([server, sandbox, worker, bare].filter((child) => child !== null).map(stop));
    await deleteRedisPrefix(redisUrl, prefix);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
