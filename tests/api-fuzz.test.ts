import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { walletLogin } from './support/story.js';
import {
  casesFor,
  operationsOf,
  runCases,
  type Caller,
  type FuzzCase,
  type IdPool,
  type Operation,
} from './support/openapi-fuzz.js';

/**
 * Every documented operation (GET /api/docs, so new ones are covered without touching this file),
 * as anonymous, as members (wallet token, bot credential, bot with hostile platform headers) and as
 * staff, with malformed bodies, wrong types, missing fields, huge and hostile strings, deep nesting,
 * odd numbers and hostile path ids and query values. Any 5xx, any answer that never comes, and any
 * body leaking SQL or a stack trace fails the test. Deterministic: FUZZ_SEED (default below) seeds it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_101);
/** Cases per operation (baselines included); most operations have fewer candidates than the SQLite cap. */
const CAP_SQLITE = Number(process.env.FUZZ_CAP ?? 200);
const CAP_MARIADB = Number(process.env.FUZZ_CAP_MARIADB ?? 60);

/** Limits high enough that the fuzz reaches handlers, timeouts short enough that nothing upstream stalls it. */
const FUZZ_ENV = {
  NANOBANANA_ANONYMOUS: 'true',
  NANOBANANA_RATE_PER_SEC: '100000',
  NANOBANANA_RATE_BURST: '100000',
  STORY_RATE_LIMIT_PER_MIN: '1000000',
  LLM_TIMEOUT_MS: '3000',
  GEMINI_TIMEOUT_MS: '3000',
  KIE_TIMEOUT_MS: '3000',
  JIMENG_TIMEOUT_MS: '3000',
  // The health probe's 1 s default is for load balancers; under the fuzz's own load on a busy CI
  // machine a slow database ping would read as a 503 finding that says nothing about the input.
  HEALTH_TIMEOUT_MS: '10000',
  ANIME_REFERENCE_TIMEOUT_MS: '3000',
};

async function callersOf(system: RunningSystem): Promise<Caller[]> {
  const wallet = await walletLogin(system);
  return [
    { name: 'anonymous', headers: {} },
    { name: 'member (wallet token)', headers: { authorization: `Bearer ${wallet.token}` } },
    { name: 'member (bot)', headers: botHeaders(system.botToken, 'telegram', '880001') },
    {
      name: 'member (bot, hostile platform headers)',
      headers: {
        ...botHeaders(system.botToken, 'discord', '9'.repeat(300)),
        'x-platform-username': '%00%ED%A0%80%E0%A4%A',
      },
    },
    { name: 'staff', headers: { authorization: `Bearer ${system.admin.token}` } },
  ];
}

/**
 * Order: baselines of list GETs and creating POSTs first (their answers fill the id pool, so later
 * cases reach real rows), then every case of everything else, then DELETEs (their baselines may
 * remove rows later cases use), then logouts (they revoke the callers' tokens).
 */
function phases(operations: Operation[], cases: (op: Operation, cap?: number) => FuzzCase[]) {
  const logout = (op: Operation) => /logout/.test(op.path);
  const plain = (op: Operation) => op.pathParams.length === 0 && !logout(op);
  const baselines = (group: Operation[]) => () => group.flatMap((op) => cases(op, 0));
  const all = (group: Operation[]) => () => group.flatMap((op) => cases(op));
  return [
    baselines(operations.filter((op) => op.method === 'GET' && plain(op))),
    baselines(operations.filter((op) => op.method === 'POST' && plain(op))),
    all(operations.filter((op) => op.method !== 'DELETE' && !logout(op))),
    all(operations.filter((op) => op.method === 'DELETE' && !logout(op))),
    all(operations.filter(logout)),
  ];
}

async function fuzz(system: RunningSystem, capPerOperation: number, concurrency: number) {
  const docs = await api(system.baseUrl, 'GET', '/api/docs');
  const operations = operationsOf(docs.body);
  const callers = await callersOf(system);
  const pool: IdPool = new Map();
  const started = performance.now();
  const result = await runCases(
    system.baseUrl,
    phases(operations, (op, cap = capPerOperation) => casesFor(op, callers, SEED, cap, pool)),
    concurrency,
    pool,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const statuses = [...result.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
  console.info(
    `fuzz: ${operations.length} operations, ${result.sent} requests in ${seconds} s, ` +
      `${result.findings.length} findings; ids harvested under ${pool.size} keys; statuses ${statuses.join(' ')}`,
  );
  return { operations, ...result };
}

describe('OpenAPI-driven fuzz: no 5xx, no leaked SQL or stack traces', () => {
  describe('SQLite (every operation, up to 200 cases each)', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      // No worker: queued generations stay queued, so no provider work competes with the fuzz.
      system = await startSystem({ db: 'sqlite', worker: false, env: FUZZ_ENV });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('answers every hostile request with a 2xx–4xx in its envelope', async () => {
      const { operations, sent, findings } = await fuzz(system, CAP_SQLITE, 4);
      expect(operations.length).toBeGreaterThan(100);
      expect(sent).toBeGreaterThan(operations.length * 10);
      expect(findings).toEqual([]);
      // The system still answers normally afterwards.
      expect((await api(system.baseUrl, 'GET', '/api/v1/health')).status).toBe(200);
    }, 150_000);
  });

  describe('MariaDB (every operation, up to 60 cases each)', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({ db: 'mariadb', worker: false, env: FUZZ_ENV });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('answers every hostile request with a 2xx–4xx (MariaDB refuses other bytes and lengths than SQLite)', async () => {
      const { operations, sent, findings } = await fuzz(system, CAP_MARIADB, 4);
      expect(sent).toBeGreaterThan(operations.length * 5);
      expect(findings).toEqual([]);
    }, 120_000);
  });
});
