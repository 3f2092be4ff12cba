/**
 * `npm run cluster`: Dreamloom as it runs on several machines, on this one. N servers (default 2)
 * behind nginx, M workers (default 2), the provider sandbox, a MariaDB database of its own, Redis
 * (a key prefix of its own) and an S3 bucket (s3rver), each server and worker a separate process
 * with its own data folder. Everything is temporary: Ctrl-C (or SIGTERM) stops every process and
 * removes the database, the Redis keys, the bucket and the folders.
 *
 *   npm run cluster -- --servers 3 --workers 2 --port 8088
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from './cluster.js';

const USAGE = 'usage: npm run cluster -- [--servers N] [--workers M] [--port P] [--log-level info|warn|…]';

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, got "${raw}"\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

async function main() {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string' },
      workers: { type: 'string' },
      port: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const servers = wholeNumber('servers', values.servers, 2, 1);
  const workers = wholeNumber('workers', values.workers, 2, 0);
  const port = wholeNumber('port', values.port, 0, 0);

  let cluster: Cluster | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (reason: string) => {
    if (stopping) return stopping;
    console.log(`\n[cluster] ${reason}: stopping every process…`);
    stopping = (cluster ? cluster.stop() : Promise.resolve()).then(
      () => console.log('[cluster] stopped; database, Redis keys, bucket and folders removed'),
      (error: unknown) => {
        console.error('[cluster] stopped with problems:', error);
        process.exitCode = 1;
      },
    );
    return stopping;
  };
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit()));
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit()));

  console.log(`[cluster] starting ${servers} server(s), ${workers} worker(s), the sandbox and nginx…`);
  cluster = await startCluster({
    servers,
    workers,
    port,
    logLevel: values['log-level'] ?? 'info',
    onLine: (name, line) => console.log(`[${name}] ${line}`),
  });
  // A process that dies takes the cluster down, so a failure is seen, not half a cluster.
  for (const node of [...cluster.servers, ...cluster.workers])
    void node.child.exited().then((how) => {
      if (!stopping) void stop(`${node.name} exited (${how})`).then(() => process.exit(1));
    });

  const lines = [
    '',
    '  Dreamloom cluster is running',
    `  Load balancer: ${cluster.url}   (nginx)`,
    `  Admin:         ${cluster.url}/admin/` +
      (existsSync(path.join(cluster.env.ADMIN_DIST_DIR, 'index.html'))
        ? ''
        : '   (not built yet: npm run build -w @dreamloom/admin)'),
    `  Login:         ${cluster.admin.username} / ${cluster.admin.password}`,
    `  API docs:      ${cluster.url}/api/docs`,
    `  Bot token:     ${cluster.botToken}   (BOT_API_TOKEN, for bots pointed at the load balancer)`,
    `  Metrics token: ${cluster.metricsToken}   (Bearer for /metrics)`,
    '  Nodes (each its own data folder):',
    ...cluster.servers.map(
      (node) => `    ${node.name}: ${node.url}   health ${node.healthUrl}   metrics ${node.url}/metrics`,
    ),
    ...cluster.workers.map(
      (node) =>
        `    ${node.name}: health ${node.healthUrl}   ready ${node.readyUrl}   metrics ${node.url}/metrics`,
    ),
    `  Sandbox:       ${cluster.sandboxUrl}   (control at /__sandbox)`,
    `  Shared:        MariaDB ${new URL(cluster.databaseUrl).pathname.slice(1)}, Redis ${cluster.redisUrl} prefix ${cluster.redisPrefix}, S3 ${cluster.s3.endpoint}/${cluster.s3.bucket}`,
    '  Ctrl-C stops everything.',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error('[cluster] could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
