import { createServer, type Server } from 'node:http';
import { isMetricsRequest, serveMetrics, type Core } from '@dreamloom/core';

export interface WorkerHealthServer {
  url: string;
  /** The worker consumes jobs: /ready may answer 200 from now on (until markDraining). */
  markStarted(): void;
  /** From now on /ready answers 503 (the worker is draining), while /health still answers. */
  markDraining(): void;
  close(): Promise<void>;
}

/**
 * The worker's probe port (WORKER_HEALTH_PORT), for orchestrators and load balancers that check
 * every process: `GET /health` answers while the process runs (liveness); `GET /ready` answers
 * 200 only while the database and Redis answer within HEALTH_TIMEOUT_MS each (readiness), in the
 * shape of the server's `/api/v1/health`; `GET /metrics` is the worker's Prometheus scrape (job
 * durations, provider calls, queue depth), behind METRICS_TOKEN when that is set. Plain
 * node:http: three fixed answers need no framework.
 */
export async function startWorkerHealthServer(
  core: Core,
  port: number,
  host: string,
): Promise<WorkerHealthServer> {
  // Ready only between the processors starting and the drain beginning.
  let phase: 'starting' | 'started' | 'draining' = 'starting';
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, { status: 'error' });
    if (isMetricsRequest(request))
      return void serveMetrics(core.metrics.registry, core.config.METRICS_TOKEN, request, response);
    if (path === '/health') return answer(200, { status: 'ok', role: 'worker' });
    if (path === '/ready') {
      if (phase !== 'started') return answer(503, { status: phase, role: 'worker' });
      void core.ping().then((checks) => {
        const ready = checks.database && checks.redis;
        answer(ready ? 200 : 503, { status: ready ? 'ok' : 'error', role: 'worker', checks });
      });
      return;
    }
    answer(404, { status: 'error', message: 'Not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host}:${actualPort}`,
    markStarted: () => {
      if (phase === 'starting') phase = 'started';
    },
    markDraining: () => {
      phase = 'draining';
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
