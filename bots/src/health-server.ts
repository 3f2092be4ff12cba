import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export interface BotsHealthServer {
  url: string;
  /** The registry served as /metrics (tests read it directly). */
  registry: Registry;
  close(): Promise<void>;
}

/**
 * The bots' probe port (BOTS_HEALTH_PORT): `GET /health` while the process runs, `GET /metrics`
 * for Prometheus (the Node process metrics and the jobs the bots are following), behind
 * METRICS_TOKEN as a bearer token when that is set. The bots do not depend on @dreamloom/core
 * (they talk to the server over HTTP), so their few metrics are defined here.
 */
export async function startBotsHealthServer(options: {
  port: number;
  host: string;
  metricsToken?: string;
  /** How many generation jobs the bots are following right now (the JobTracker's size). */
  jobsRunning: () => number;
}): Promise<BotsHealthServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'dreamloom_bot_jobs_running',
    help: 'Generation jobs the bots are following (posting progress cards for) right now',
    registers: [registry],
    collect() {
      this.set(options.jobsRunning());
    },
  });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const plain = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed\n');
    if (path === '/health') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return response.end(JSON.stringify({ status: 'ok', role: 'bots' }));
    }
    if (path !== '/metrics') return plain(404, 'Not found\n');
    if (options.metricsToken !== undefined && !bearerMatches(request, options.metricsToken))
      return plain(401, 'Unauthorized\n', { 'www-authenticate': 'Bearer' });
    void registry.metrics().then(
      (text) => plain(200, text, { 'content-type': registry.contentType }),
      () => plain(500, 'metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    registry,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function bearerMatches(request: IncomingMessage, token: string): boolean {
  const [scheme, credential] = (request.headers.authorization ?? '').split(/\s+/, 2);
  if (!credential || !/^bearer$/i.test(scheme)) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(credential), digest(token));
}
