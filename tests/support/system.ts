import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createCore,
  loadConfig,
  startWorker,
  type AppConfig,
  type Core,
  type CoreOverrides,
} from '@dreamloom/core';
import { bootstrap, createServer } from '@dreamloom/server';
import { startSandbox, type Sandbox } from '@dreamloom/sandbox';
import { createTestDatabase } from './databases.js';
import { deleteRedisPrefix } from './redis-prefix.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningSystem {
  baseUrl: string;
  botToken: string;
  admin: { username: string; password: string; token: string };
  config: AppConfig;
  /** The environment the config was parsed from (to start more processes on the same system). */
  env: Record<string, string>;
  /** The server's core (for assertions straight on the database). */
  core: Core;
  sandbox: Sandbox;
  stop(): Promise<void>;
}

export interface SystemOptions {
  db?: 'sqlite' | 'mariadb';
  /** Start the worker (default true); tests of queueing may start it later with startWorker(). */
  worker?: boolean;
  env?: Record<string, string>;
  /** Replaces parts of both cores (server and worker), e.g. the outbound policy's resolver. */
  overrides?: CoreOverrides;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The whole system for a test: the provider sandbox over HTTP, a server (Koa + socket.io) and a
 * worker (BullMQ) as two separate cores on a fresh database and a unique Redis prefix, with the
 * first admin and the demo Jimeng accounts seeded. `stop()` removes every trace.
 */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const database = await createTestDatabase(options.db ?? 'sqlite');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-data-'));
  const sandbox = await startSandbox({ port: 0, latencyMs: 30, imageScale: 0.125 });
  const port = await freePort();
  const botToken = `bot-${randomBytes(12).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const prefix = `dltest-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Every answer of a route that declares a response schema is checked against it (500 if not).
    RESPONSE_SCHEMA_CHECK: 'strict',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    BOT_API_TOKEN: botToken,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: password,
    JIMENG_BASE_URL: `${sandbox.url}/jimeng`,
    KIE_BASE_URL: `${sandbox.url}/kie`,
    GEMINI_BASE_URL: `${sandbox.url}/gemini`,
    LLM_BASE_URL: `${sandbox.url}/openai/v1`,
    ADMIN_DIST_DIR: process.env.TEST_ADMIN_DIST_DIR ?? path.join(REPO_ROOT, 'admin/dist'),
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_GRACE_MS: '2000',
    ...options.env,
  };
  const config = loadConfig(env);
  const { core } = await bootstrap(config, { seedDemo: true, overrides: options.overrides });
  const server = await createServer(core);
  await server.listen(port, '127.0.0.1');
  let workerCore: Core | null = null;
  if (options.worker !== false) {
    workerCore = createCore(config, options.overrides);
    await startWorker(workerCore);
  }
  const login = await fetch(`${config.PUBLIC_URL}/api/v1/staff/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;

  return {
    baseUrl: config.PUBLIC_URL,
    botToken,
    admin: { username: 'admin', password, token },
    config,
    env,
    core,
    sandbox,
    async stop() {
      await workerCore?.close();
      await server.close();
      await core.close();
      await sandbox.close();
      await deleteRedisPrefix(config.REDIS_URL, prefix);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
