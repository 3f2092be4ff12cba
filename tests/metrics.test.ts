import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { grant, member, waitForEnd } from './support/anime.js';
import { killHard, spawnWorker } from './support/worker-process.js';

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

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, one sample per line (label values here never hold quotes or commas). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and these labels (others may differ), or 0. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value ?? 0;
}

const METRICS_TOKEN = 'metrics-token-for-the-test';
const STATUS_ROUTE = '/api/generation/status/:uuid';

/**
 * Prometheus metrics on a server and a separately spawned worker sharing one system: a member's
 * generation moves the server's HTTP histogram (by route template) and credits counter, and the
 * worker's job duration and provider call counters.
 */
describe('Prometheus metrics on the server and the worker', () => {
  let system: RunningSystem;
  let worker: ChildProcess | undefined;
  let probeUrl: string;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false, env: { METRICS_TOKEN } });
    const probePort = await freePort();
    probeUrl = `http://127.0.0.1:${probePort}`;
    worker = await spawnWorker({ ...system.env, WORKER_HEALTH_PORT: String(probePort) });
  });
  afterAll(async () => {
    if (worker) await killHard(worker);
    await system?.stop();
  });

  const scrape = async (url: string) => {
    const answer = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(answer.status).toBe(200);
    return parse(await answer.text());
  };

  it('asks for METRICS_TOKEN on the server and the worker, outside the rate limit', async () => {
    for (const url of [system.baseUrl, probeUrl]) {
      const refused = await fetch(`${url}/metrics`);
      expect(refused.status, url).toBe(401);
      expect(await refused.text()).not.toContain('dreamloom_');
      const wrong = await fetch(`${url}/metrics`, {
        headers: { authorization: 'Bearer not-the-token-at-all' },
      });
      expect(wrong.status, url).toBe(401);
    }
    // Scrapes are neither rate limited nor timed themselves.
    for (let i = 0; i < 30; i += 1) await scrape(system.baseUrl);
    const samples = await scrape(system.baseUrl);
    expect(samples.some((sample) => sample.labels.route === '/metrics')).toBe(false);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('moves the route histogram, credits, job durations and provider calls with one generation', async () => {
    const serverBefore = await scrape(system.baseUrl);
    const workerBefore = await scrape(probeUrl);
    const statusCount = (samples: Sample[]) =>
      valueOf(samples, 'dreamloom_http_request_duration_seconds_count', {
        route: STATUS_ROUTE,
        method: 'GET',
        status_class: '2xx',
      });

    const { headers, userId } = await member(system, 'metrics-member');
    expect((await grant(system, userId, 500)).status).toBe(200);
    const priced = await api(
      system.baseUrl,
      'PUT',
      '/api/anime-generation/admin/models/image/jimeng-4.5/price',
      {
        token: system.admin.token,
        body: { price: { type: 'flat', credits: 7 } },
      },
    );
    expect(priced.status).toBe(200);
    const request = { model_uuid: 'jimeng-4.5', batch_size: 1 };
    const quote = await api(system.baseUrl, 'POST', '/api/anime-generation/quote', {
      headers,
      body: request,
    });
    expect(quote.status).toBe(200);
    const price = quote.body.data.estimated_credits as number;
    expect(price).toBe(7);
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { prompt: 'a fox counting metrics', ...request },
    });
    expect(created.status).toBe(200);
    const taskId = created.body.data.generation_uuid as string;
    const ended = await waitForEnd(system, taskId, headers);
    expect(ended.status).toBe('completed');
    // Three more status reads we can count exactly, and one for a task that does not exist.
    for (let i = 0; i < 3; i += 1)
      expect((await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers })).status).toBe(
        200,
      );
    const missing = await api(
      system.baseUrl,
      'GET',
      '/api/generation/status/00000000-0000-4000-8000-000000000000',
      {
        headers,
      },
    );
    expect(missing.status).toBe(404);

    const server = await scrape(system.baseUrl);
    // waitForEnd polled at least once, and then the three counted reads.
    expect(statusCount(server) - statusCount(serverBefore)).toBeGreaterThanOrEqual(4);
    expect(
      valueOf(server, 'dreamloom_http_request_duration_seconds_count', {
        route: STATUS_ROUTE,
        method: 'GET',
        status_class: '4xx',
      }),
    ).toBeGreaterThanOrEqual(1);
    // The route label is always a template: no task id (or any uuid) becomes a series.
    const routes = new Set(
      server.filter((sample) => sample.labels.route).map((sample) => sample.labels.route),
    );
    expect(routes.has(STATUS_ROUTE)).toBe(true);
    expect(routes.has('/api/anime-generation/create-task')).toBe(true);
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
    expect(
      valueOf(server, 'dreamloom_credits_charged_total') -
        valueOf(serverBefore, 'dreamloom_credits_charged_total'),
    ).toBe(price);
    // Cluster-wide gauges are read at scrape time: the queues and the seeded Jimeng pool.
    expect(
      server.some((sample) => sample.name === 'dreamloom_queue_jobs' && sample.labels.queue === 'generation'),
    ).toBe(true);
    expect(
      valueOf(server, 'dreamloom_pool_slots', { provider: 'jimeng', account_state: 'normal', slot: 'free' }),
    ).toBeGreaterThan(0);
    expect(valueOf(server, 'dreamloom_connections_open', { transport: 'sse' })).toBe(0);

    const worker = await scrape(probeUrl);
    const jobs = (samples: Sample[]) =>
      valueOf(samples, 'dreamloom_job_duration_seconds_count', { queue: 'generation', outcome: 'completed' });
    expect(jobs(worker) - jobs(workerBefore)).toBe(1);
    const calls = (samples: Sample[]) =>
      valueOf(samples, 'dreamloom_provider_calls_total', { provider: 'jimeng', outcome: 'ok' });
    expect(calls(worker) - calls(workerBefore)).toBe(1);
  });

  it('counts Gemini (contract 000) and kie.ai (contract 001) calls by outcome on the worker', async () => {
    const { headers, userId } = await member(system, 'metrics-providers');
    expect((await grant(system, userId, 1000)).status).toBe(200);
    const workerBefore = await scrape(probeUrl);
    const serverBefore = await scrape(system.baseUrl);
    const called = (samples: Sample[], provider: string, outcome: string) =>
      valueOf(samples, 'dreamloom_provider_calls_total', { provider, outcome });

    const image = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { prompt: 'a fox under gemini light', model_uuid: 'gemini-2.5-flash-image' },
    });
    expect(image.status).toBe(200);
    expect((await waitForEnd(system, image.body.data.generation_uuid, headers)).status).toBe('completed');
    system.sandbox.state.injectFault({ provider: 'gemini', kind: 'image-safety' });
    const blocked = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { prompt: 'blocked', model_uuid: 'gemini-2.5-flash-image' },
    });
    expect(blocked.status).toBe(200);
    expect((await waitForEnd(system, blocked.body.data.generation_uuid, headers)).status).toBe('failed');

    const video = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers,
      body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: 'a counted fox' },
    });
    expect(video.status).toBe(200);
    expect((await waitForEnd(system, video.body.data.generation_uuid, headers, 30_000)).status).toBe(
      'completed',
    );

    const worker = await scrape(probeUrl);
    const server = await scrape(system.baseUrl);
    expect(called(worker, 'gemini', 'ok') - called(workerBefore, 'gemini', 'ok')).toBe(1);
    // The safety block is a classified failure, counted under its kind rather than as ok.
    const geminiFailures = worker.filter(
      (sample) =>
        sample.name === 'dreamloom_provider_calls_total' &&
        sample.labels.provider === 'gemini' &&
        sample.labels.outcome !== 'ok',
    );
    const failuresBefore = workerBefore
      .filter(
        (sample) =>
          sample.name === 'dreamloom_provider_calls_total' &&
          sample.labels.provider === 'gemini' &&
          sample.labels.outcome !== 'ok',
      )
      .reduce((sum, sample) => sum + sample.value, 0);
    expect(
      geminiFailures.reduce((sum, sample) => sum + sample.value, 0) - failuresBefore,
    ).toBeGreaterThanOrEqual(1);
    expect(geminiFailures.every((sample) => sample.labels.outcome !== 'other_error')).toBe(true);
    // kie: the task creation on the worker, then at least one status check (the worker's poll, or
    // the server's check of the callback), so two or more ok calls across the two processes.
    const kieOk = (samples: Sample[]) => called(samples, 'kie', 'ok');
    expect(kieOk(worker) - kieOk(workerBefore)).toBeGreaterThanOrEqual(1);
    expect(kieOk(worker) + kieOk(server) - kieOk(workerBefore) - kieOk(serverBefore)).toBeGreaterThanOrEqual(
      2,
    );
  });
});
