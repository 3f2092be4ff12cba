import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { silentLogger } from './shared/logger.js';
import { startBots, type RunningBots } from './start-bots.js';
import { startBotsHealthServer, type BotsHealthServer } from './health-server.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The bots' probe port (BOTS_HEALTH_PORT): /health for orchestrators, /metrics for Prometheus. */
describe('bots health port', () => {
  let server: BotsHealthServer | undefined;
  let bots: RunningBots | undefined;
  afterEach(async () => {
    await server?.close();
    await bots?.stop();
    server = bots = undefined;
  });

  it('is off unless BOTS_HEALTH_PORT is set, and listens on every interface by default', () => {
    expect(loadConfig({}).health).toBeUndefined();
    expect(loadConfig({ BOTS_HEALTH_PORT: '9464' }).health).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(() => loadConfig({ BOTS_HEALTH_PORT: '70000' })).toThrow(/BOTS_HEALTH_PORT/);
  });

  it('answers /health and serves the process metrics and the jobs followed on /metrics', async () => {
    let jobs = 3;
    server = await startBotsHealthServer({ port: 0, host: '127.0.0.1', jobsRunning: () => jobs });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', role: 'bots' });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('dreamloom_bot_jobs_running 3');
    expect(text).toContain('process_cpu_user_seconds_total');
    jobs = 0;
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('dreamloom_bot_jobs_running 0');
    expect((await fetch(`${server.url}/other`)).status).toBe(404);
    expect((await fetch(`${server.url}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('asks for METRICS_TOKEN on /metrics when it is set, never on /health', async () => {
    server = await startBotsHealthServer({
      port: 0,
      host: '127.0.0.1',
      metricsToken: 'bots-metrics-token-1234',
      jobsRunning: () => 0,
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer bots-metrics-token-1234' },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('dreamloom_bot_jobs_running 0');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('is started by startBots from the config and closed by stop()', async () => {
    const port = await freePort();
    bots = await startBots(
      loadConfig({ BOTS_HEALTH_PORT: String(port), BOTS_HEALTH_HOST: '127.0.0.1' }),
      silentLogger,
    );
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    await bots.stop();
    bots = undefined;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
