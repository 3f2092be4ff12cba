import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startS3Server, type TestS3Server } from '../s3-server.js';
import { startChild, waitUntilAnswering, type ClusterChild } from './child-process.js';
import { createClusterDatabase, type ClusterDatabase } from './cluster-database.js';
import { freePort } from './free-port.js';
import { renderNginxConfig } from './nginx-config.js';
import { deleteRedisPrefix } from '../redis-prefix.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ClusterOptions {
  /** Dreamloom servers behind the load balancer (default 2). */
  servers?: number;
  /** Workers (default 2). */
  workers?: number;
  /** The Redis every node shares; the cluster uses its own key prefix in it (default REDIS_URL or 127.0.0.1:6379). */
  redisUrl?: string;
  /** A MariaDB user that may create databases; the cluster creates and drops its own (default root on 127.0.0.1). */
  mysqlAdminUrl?: string;
  /** Where nginx listens (default 127.0.0.1 and a free port). */
  host?: string;
  port?: number;
  /** More environment for every node (overrides the cluster's own settings). */
  env?: Record<string, string>;
  /** The nodes' LOG_LEVEL (default warn). */
  logLevel?: string;
  /** Every line any process prints, with its name (server-1, worker-2, sandbox, nginx). */
  onLine?: (name: string, line: string) => void;
  sandboxLatencyMs?: number;
  sandboxImageScale?: number;
  /** How long a stopping worker lets running jobs finish (SHUTDOWN_GRACE_MS; default 10 s). */
  shutdownGraceMs?: number;
  /** How long each process may take to answer its health check (default 120 s: cold tsx on 2 cores). */
  startTimeoutMs?: number;
}

/** A server or worker: one machine, with its own data folder. */
export interface ClusterNode {
  name: string;
  /** Servers: their own address (not through nginx). Workers: their probe port. */
  url: string;
  /** Liveness: the server's /api/v1/health, the worker's /health. */
  healthUrl: string;
  /** Readiness: the server's /api/v1/health, the worker's /ready (database and Redis reachable, consuming jobs). */
  readyUrl: string;
  dataDir: string;
  child: ClusterChild;
}

export interface Cluster {
  /** The load balancer: the one address clients use. */
  url: string;
  admin: { username: string; password: string };
  /** The bots' shared credential (BOT_API_TOKEN) and the Prometheus bearer (METRICS_TOKEN). */
  botToken: string;
  metricsToken: string;
  servers: ClusterNode[];
  workers: ClusterNode[];
  sandboxUrl: string;
  s3: TestS3Server;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** The environment every node shares (before its own PORT, DATA_DIR and probe port). */
  env: Record<string, string>;
  /** Starts one more worker (e.g. to replace one that was killed). */
  addWorker(): Promise<ClusterNode>;
  /** Stops every process (workers drain for up to SHUTDOWN_GRACE_MS) and removes the database, keys and folders. */
  stop(): Promise<void>;
}

/** The stop of every cluster of this process that has not finished stopping, started or still starting. */
const unstopped = new Set<() => Promise<void>>();

/**
 * Stops every cluster this process started, including one still starting (a test whose start-up
 * hook timed out holds no handle to it, yet its processes must not outlive the test).
 */
export async function stopEveryCluster(): Promise<void> {
  const results = await Promise.allSettled([...unstopped].map((stop) => stop()));
  const problems = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (problems.length) throw new AggregateError(problems, 'a cluster did not stop cleanly');
}

/** nginx from PATH, or Debian's /usr/sbin/nginx (not on a non-root PATH); NGINX_BIN overrides. */
function findNginx(): string {
  if (process.env.NGINX_BIN) return process.env.NGINX_BIN;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nginx is not installed: run `bash scripts/ensure-services.sh nginx` (or set NGINX_BIN)');
}

/**
 * Dreamloom on several machines, on this one: N servers behind nginx, M workers, the provider
 * sandbox, one MariaDB database, one Redis (a key prefix of its own), one S3 bucket (s3rver).
 * Every server and worker is its own OS process with its own data folder, so nothing works
 * unless it works through the shared services. Used by `npm run cluster` and tests/cluster.test.ts.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const serverCount = options.servers ?? 2;
  const workerCount = options.workers ?? 2;
  if (!Number.isInteger(serverCount) || serverCount < 1)
    throw new Error('servers must be a whole number ≥ 1');
  if (!Number.isInteger(workerCount) || workerCount < 0)
    throw new Error('workers must be a whole number ≥ 0');
  const nginxBinary = findNginx();
  const host = options.host ?? '127.0.0.1';
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `dlcluster-${randomBytes(4).toString('hex')}`;

  const root = mkdtempSync(path.join(tmpdir(), 'dreamloom-cluster-'));
  // nginx's workers drop root to `nobody`, which must reach its temp folders under here.
  chmodSync(root, 0o711);
  const children: ClusterChild[] = [];
  const killAllOnExit = () => {
    for (const child of children) if (child.running()) child.process.kill('SIGKILL');
  };
  process.on('exit', killAllOnExit);
  let database: ClusterDatabase | null = null;
  let s3: TestS3Server | null = null;

  // Once asked to stop, the cluster starts nothing more, and every later stop() is the same one.
  let stopping: Promise<void> | null = null;
  const stoppedWhileStarting = () => new Error('the cluster was stopped while it was starting');
  const stop = () => (stopping ??= stopOnce().finally(() => unstopped.delete(stop)));
  unstopped.add(stop);

  const stopOnce = async () => {
    const problems: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        problems.push(error);
      }
    };
    // The door first, then the nodes (workers drain their jobs), then what they shared.
    await attempt(() => Promise.all(children.filter((c) => c.name === 'nginx').map((c) => c.stop(5000))));
    await attempt(() =>
      Promise.all(
        children
          .filter((c) => c.name !== 'sandbox')
          .map((c) => c.stop(c.name.startsWith('worker') ? shutdownGraceMs + 5000 : 10_000)),
      ),
    );
    await attempt(() => Promise.all(children.map((c) => c.stop(5000))));
    process.off('exit', killAllOnExit);
    if (s3) await attempt(() => s3!.close());
    await attempt(() => deleteRedisPrefix(redisUrl, redisPrefix));
    if (database) await attempt(() => database!.drop());
    rmSync(root, { recursive: true, force: true });
    if (problems.length) throw new AggregateError(problems, 'the cluster did not stop cleanly');
  };

  const spawnNode = (name: string, entry: string, env: Record<string, string>) => {
    if (stopping) throw stoppedWhileStarting();
    const child = startChild({
      name,
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', entry],
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      onLine: options.onLine,
    });
    children.push(child);
    return child;
  };

  try {
    database = await createClusterDatabase(
      options.mysqlAdminUrl ??
        process.env.CLUSTER_MYSQL_URL ??
        process.env.TEST_MYSQL_URL ??
        'mysql://root@127.0.0.1:3306/test',
    );
    // Stopped meanwhile: the stop may have passed these already, so they are undone here.
    if (stopping) {
      await database.drop();
      throw stoppedWhileStarting();
    }
    s3 = await startS3Server();
    if (stopping) {
      await s3.close().catch(() => undefined);
      throw stoppedWhileStarting();
    }
    const [lbPort, sandboxPort] = await Promise.all([
      options.port ? Promise.resolve(options.port) : freePort(host),
      freePort(),
    ]);
    const url = `http://${host}:${lbPort}`;
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const sandbox = spawnNode('sandbox', 'sandbox/src/main.ts', {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_LATENCY_MS: String(options.sandboxLatencyMs ?? 50),
      SANDBOX_IMAGE_SCALE: String(options.sandboxImageScale ?? 0.25),
    });

    const admin = { username: 'admin', password: `pw-${randomBytes(9).toString('base64url')}` };
    const botToken = `bot-${randomBytes(12).toString('hex')}`;
    const metricsToken = `metrics-${randomBytes(12).toString('hex')}`;
    const env: Record<string, string> = {
      LOG_LEVEL: options.logLevel ?? 'warn',
      HOST: '127.0.0.1',
      // Media and links are built for the address clients use: the load balancer's.
      PUBLIC_URL: url,
      // One proxy (nginx) appends the client's address to X-Forwarded-For.
      TRUST_PROXY: 'true',
      TRUST_PROXY_HOPS: '1',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      ...s3.env('media'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      BOT_API_TOKEN: botToken,
      METRICS_TOKEN: metricsToken,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      JIMENG_BASE_URL: `${sandboxUrl}/jimeng`,
      KIE_BASE_URL: `${sandboxUrl}/kie`,
      GEMINI_BASE_URL: `${sandboxUrl}/gemini`,
      LLM_BASE_URL: `${sandboxUrl}/openai/v1`,
      ADMIN_DIST_DIR: path.join(REPO_ROOT, 'admin/dist'),
      SHUTDOWN_GRACE_MS: String(shutdownGraceMs),
      ...options.env,
    };

    const servers: ClusterNode[] = [];
    for (let index = 1; index <= serverCount; index += 1) {
      const name = `server-${index}`;
      const dataDir = path.join(root, name);
      mkdirSync(dataDir);
      const port = await freePort();
      const nodeUrl = `http://127.0.0.1:${port}`;
      const child = spawnNode(name, 'server/src/main.ts', {
        ...env,
        PORT: String(port),
        DATA_DIR: dataDir,
        // Every server may be the first: the start-up lock lets one migrate and seed.
        DREAMLOOM_SEED_DEMO: 'true',
      });
      const healthUrl = `${nodeUrl}/api/v1/health`;
      servers.push({ name, url: nodeUrl, healthUrl, readyUrl: healthUrl, dataDir, child });
    }

    const workers: ClusterNode[] = [];
    let workersStarted = 0;
    const launchWorker = async (): Promise<ClusterNode> => {
      workersStarted += 1;
      const name = `worker-${workersStarted}`;
      const dataDir = path.join(root, name);
      mkdirSync(dataDir);
      const probePort = await freePort();
      const child = spawnNode(name, 'server/src/worker-main.ts', {
        ...env,
        DATA_DIR: dataDir,
        WORKER_HEALTH_PORT: String(probePort),
      });
      const probeUrl = `http://127.0.0.1:${probePort}`;
      const node = {
        name,
        url: probeUrl,
        healthUrl: `${probeUrl}/health`,
        readyUrl: `${probeUrl}/ready`,
        dataDir,
        child,
      };
      workers.push(node);
      return node;
    };
    for (let index = 0; index < workerCount; index += 1) await launchWorker();

    const nginxDir = path.join(root, 'nginx');
    mkdirSync(nginxDir, { mode: 0o755 });
    chmodSync(nginxDir, 0o755);
    const nginxConf = path.join(nginxDir, 'nginx.conf');
    writeFileSync(
      nginxConf,
      renderNginxConfig({
        listenHost: host,
        listenPort: lbPort,
        servers: servers.map((server) => new URL(server.url).host),
        runDir: nginxDir,
      }),
    );
    if (stopping) throw stoppedWhileStarting();
    const nginx = startChild({
      name: 'nginx',
      command: nginxBinary,
      // -e: the error log before the config is read (else the system's /var/log/nginx).
      args: ['-p', nginxDir, '-c', nginxConf, '-e', path.join(nginxDir, 'error.log'), '-g', 'daemon off;'],
      cwd: nginxDir,
      env: process.env,
      onLine: options.onLine,
    });
    children.push(nginx);

    await waitUntilAnswering(sandbox, `${sandboxUrl}/__sandbox/health`, startTimeoutMs);
    await Promise.all([
      ...servers.map((node) => waitUntilAnswering(node.child, node.readyUrl, startTimeoutMs)),
      ...workers.map((node) => waitUntilAnswering(node.child, node.readyUrl, startTimeoutMs)),
    ]);
    await waitUntilAnswering(nginx, `${url}/api/v1/health`, 15_000);

    return {
      url,
      admin,
      botToken,
      metricsToken,
      servers,
      workers,
      sandboxUrl,
      s3,
      databaseUrl: database.url,
      redisUrl,
      redisPrefix,
      env,
      async addWorker() {
        const node = await launchWorker();
        await waitUntilAnswering(node.child, node.readyUrl, startTimeoutMs);
        return node;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
