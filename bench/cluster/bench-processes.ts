import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startChild,
  waitUntilAnswering,
  type ClusterChild,
} from '../../tests/support/cluster/child-process.js';
import { freePort } from '../../tests/support/cluster/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/databases.js';
import { deleteRedisPrefix } from '../../tests/support/redis-prefix.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 180_000;

export interface BenchProcessesOptions {
  db: 'sqlite' | 'mariadb';
  sandboxLatencyMs: number;
  workerConcurrency: number;
  batchMaxItems: number;
}

/**
 * The benchmark's machine room: the sandbox, one server and any number of workers, each its own
 * OS process (so /proc tells each one's CPU apart), on a database of their own (SQLite file or
 * MariaDB database) and a Redis key prefix of their own. Unlike `npm run cluster` there is no
 * nginx and no S3: one server needs no balancer, and on one machine the nodes share DATA_DIR, so
 * neither costs CPU the workers would otherwise have.
 */
export interface BenchProcesses {
  serverUrl: string;
  sandboxUrl: string;
  databaseUrl: string;
  admin: { username: string; password: string };
  sandbox: ClusterChild;
  server: ClusterChild;
  workers: ClusterChild[];
  /** Starts or stops workers (the newest first) until `count` are consuming jobs. */
  setWorkers(count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchProcesses(options: BenchProcessesOptions): Promise<BenchProcesses> {
  const children: ClusterChild[] = [];
  const killAllOnExit = () => {
    for (const child of children) if (child.running()) child.process.kill('SIGKILL');
  };
  process.on('exit', killAllOnExit);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-bench-cluster-'));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `dlbench-${randomBytes(4).toString('hex')}`;
  let database: TestDatabase | null = null;
  const workers: ClusterChild[] = [];

  const stop = async () => {
    await Promise.all(workers.map((worker) => worker.stop(15_000)));
    await Promise.all(children.map((child) => child.stop(10_000)));
    process.off('exit', killAllOnExit);
    await deleteRedisPrefix(redisUrl, redisPrefix);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const spawnNode = (name: string, entry: string, env: Record<string, string>) => {
    const child = startChild({
      name,
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', entry],
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    children.push(child);
    return child;
  };

  try {
    database = await createTestDatabase(options.db);
    const [sandboxPort, serverPort] = [await freePort(), await freePort()];
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const serverUrl = `http://127.0.0.1:${serverPort}`;
    const sandbox = spawnNode('sandbox', 'sandbox/src/main.ts', {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_LATENCY_MS: String(options.sandboxLatencyMs),
      // Tiny PNGs: the sandbox shares the 2 cores, and its drawing is not what is measured.
      SANDBOX_IMAGE_SCALE: '0.05',
    });
    const admin = { username: 'admin', password: `pw-${randomBytes(9).toString('base64url')}` };
    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PUBLIC_URL: serverUrl,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      DATA_DIR: dataDir,
      SECRET_KEY: randomBytes(32).toString('hex'),
      BOT_API_TOKEN: `bot-${randomBytes(12).toString('hex')}`,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      JIMENG_BASE_URL: `${sandboxUrl}/jimeng`,
      KIE_BASE_URL: `${sandboxUrl}/kie`,
      GEMINI_BASE_URL: `${sandboxUrl}/gemini`,
      LLM_BASE_URL: `${sandboxUrl}/openai/v1`,
      ADMIN_DIST_DIR: path.join(REPO_ROOT, 'admin/dist'),
      BATCH_MAX_IMAGE_ITEMS: String(options.batchMaxItems),
      WORKER_CONCURRENCY: String(options.workerConcurrency),
    };
    const server = spawnNode('server', 'server/src/main.ts', { ...env, PORT: String(serverPort) });
    await waitUntilAnswering(sandbox, `${sandboxUrl}/__sandbox/health`, START_TIMEOUT_MS);
    await waitUntilAnswering(server, `${serverUrl}/api/v1/health`, START_TIMEOUT_MS);

    const addWorker = async () => {
      const probePort = await freePort();
      const worker = spawnNode(`worker-${workers.length + 1}`, 'server/src/worker-main.ts', {
        ...env,
        WORKER_HEALTH_PORT: String(probePort),
      });
      workers.push(worker);
      await waitUntilAnswering(worker, `http://127.0.0.1:${probePort}/ready`, START_TIMEOUT_MS);
    };
    return {
      serverUrl,
      sandboxUrl,
      databaseUrl: database.url,
      admin,
      sandbox,
      server,
      workers,
      async setWorkers(count) {
        while (workers.length < count) await addWorker();
        while (workers.length > count) await workers.pop()!.stop(15_000);
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
