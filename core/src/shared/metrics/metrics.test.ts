import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { ProviderError, type ImageProvider } from '../../ports/image-provider.port.js';
import { JobHandedBack } from '../../ports/job-hand-back.js';
import { createMetrics } from './metrics.js';
import { countProviderCalls } from './provider-metrics.js';
import { METRICS_PATH, isMetricsRequest, serveMetrics } from './metrics-endpoint.js';

/** The value of one series (labels matched exactly), or undefined when the series does not exist. */
async function valueOf(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  return values.find(
    (value) =>
      wanted.every(([key, label]) => value.labels[key] === label) &&
      Object.keys(value.labels).filter((key) => key !== 'le').length === wanted.length,
  )?.value;
}

describe('metrics', () => {
  it('keeps one registry per createMetrics, with the default process metrics on it', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.credits.charged.inc(5);
    expect(await valueOf(first.registry, 'dreamloom_credits_charged_total')).toBe(5);
    expect(await valueOf(second.registry, 'dreamloom_credits_charged_total')).toBe(0);
    const text = await first.registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('records HTTP latency by route template, method and status class, folding unknown methods', async () => {
    const { registry, http } = createMetrics();
    http.observe('/api/generation/status/:uuid', 'GET', 200, 0.012);
    http.observe('/api/generation/status/:uuid', 'GET', 204, 0.02);
    http.observe('/api/generation/status/:uuid', 'GET', 404, 0.003);
    http.observe('(unmatched)', 'PROPFIND', 599, 0.001);
    const count = (labels: Record<string, string>) =>
      registry
        .getSingleMetric('dreamloom_http_request_duration_seconds')!
        .get()
        .then(
          ({ values }) =>
            values.find(
              (value) =>
                (value as { metricName?: string }).metricName ===
                  'dreamloom_http_request_duration_seconds_count' &&
                Object.entries(labels).every(([key, label]) => value.labels[key] === label),
            )?.value,
        );
    expect(await count({ route: '/api/generation/status/:uuid', method: 'GET', status_class: '2xx' })).toBe(
      2,
    );
    expect(await count({ route: '/api/generation/status/:uuid', method: 'GET', status_class: '4xx' })).toBe(
      1,
    );
    expect(await count({ route: '(unmatched)', method: 'OTHER', status_class: '5xx' })).toBe(1);
  });

  it('times jobs by queue and outcome, and reads queue depth from the queue when scraped', async () => {
    const { registry, queues } = createMetrics();
    await queues.timeJob('generation', async () => undefined);
    await expect(
      queues.timeJob('generation', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const text = await registry.metrics();
    expect(text).toContain('dreamloom_job_duration_seconds_count{queue="generation",outcome="completed"} 1');
    expect(text).toContain('dreamloom_job_duration_seconds_count{queue="generation",outcome="failed"} 1');

    let asked = 0;
    queues.watchDepth(
      {
        counts: async (name: string) => {
          asked += 1;
          if (name === 'broken') throw new Error('redis down');
          return { waiting: 3, active: 2, delayed: 1, failed: 7 };
        },
      },
      ['generation', 'broken'],
    );
    expect(await valueOf(registry, 'dreamloom_queue_jobs', { queue: 'generation', state: 'waiting' })).toBe(
      3,
    );
    expect(await valueOf(registry, 'dreamloom_queue_jobs', { queue: 'generation', state: 'failed' })).toBe(7);
    // A queue that cannot be read is left out; the scrape still answers.
    expect(await valueOf(registry, 'dreamloom_queue_jobs', { queue: 'broken', state: 'waiting' })).toBe(
      undefined,
    );
    // Each of the three reads above asked every queue once, at scrape time.
    expect(asked).toBe(6);
  });

  it('tells jobs handed back by a stopping worker from failed ones, and counts stalled jobs', async () => {
    const { registry, queues } = createMetrics();
    await expect(
      queues.timeJob('generation', async () => {
        throw new JobHandedBack();
      }),
    ).rejects.toThrow(JobHandedBack);
    const text = await registry.metrics();
    expect(text).toContain(
      'dreamloom_job_duration_seconds_count{queue="generation",outcome="handed_back"} 1',
    );
    expect(text).not.toContain('outcome="failed"');
    queues.countStalled('generation');
    queues.countStalled('generation');
    expect(await valueOf(registry, 'dreamloom_queue_jobs_stalled_total', { queue: 'generation' })).toBe(2);
  });

  it('counts provider calls by outcome: ok, the ProviderError kind, or other_error', async () => {
    const { registry, providers } = createMetrics();
    let next: () => Promise<[]> = async () => [];
    const raw = {
      generateImages: (..._request: unknown[]) => next(),
      credits: () => 42,
    };
    const counted = countProviderCalls('jimeng', raw, providers) satisfies ImageProvider;
    await counted.generateImages('secret', { model: 'm', prompt: 'p', ratio: '1:1', resolution: '1K' });
    next = async () => {
      throw new ProviderError('rate_limited', 'slow down');
    };
    await expect(
      counted.generateImages('s', { model: 'm', prompt: 'p', ratio: '1:1', resolution: '1K' }),
    ).rejects.toThrow('slow down');
    next = async () => {
      throw new TypeError('bug');
    };
    await expect(
      counted.generateImages('s', { model: 'm', prompt: 'p', ratio: '1:1', resolution: '1K' }),
    ).rejects.toThrow('bug');
    // Methods other than the calls pass through untouched and uncounted.
    expect(counted.credits()).toBe(42);
    expect(
      await valueOf(registry, 'dreamloom_provider_calls_total', { provider: 'jimeng', outcome: 'ok' }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'dreamloom_provider_calls_total', {
        provider: 'jimeng',
        outcome: 'rate_limited',
      }),
    ).toBe(1);
    expect(
      await valueOf(registry, 'dreamloom_provider_calls_total', {
        provider: 'jimeng',
        outcome: 'other_error',
      }),
    ).toBe(1);
  });

  it("counts a client's own call methods when it names them (kie.ai: tasks and status checks)", async () => {
    const { registry, providers } = createMetrics();
    const raw = {
      createTask: async (_apiKey: string) => 'task-1',
      recordInfo: async (_apiKey: string, taskId: string) => {
        if (taskId === 'gone') throw new ProviderError('upstream_error', 'no such task');
        return { taskId, state: 'success' };
      },
      credit: async () => 100,
    };
    const counted = countProviderCalls('kie', raw, providers, ['createTask', 'recordInfo']);
    expect(await counted.createTask('key')).toBe('task-1');
    expect(await counted.recordInfo('key', 'task-1')).toEqual({ taskId: 'task-1', state: 'success' });
    await expect(counted.recordInfo('key', 'gone')).rejects.toThrow('no such task');
    // The balance read is not a generation call.
    expect(await counted.credit()).toBe(100);
    expect(
      await valueOf(registry, 'dreamloom_provider_calls_total', { provider: 'kie', outcome: 'ok' }),
    ).toBe(2);
    expect(
      await valueOf(registry, 'dreamloom_provider_calls_total', {
        provider: 'kie',
        outcome: 'upstream_error',
      }),
    ).toBe(1);
  });

  it('reads pool slots when scraped, and drops states nobody is in any more', async () => {
    const { registry, pool } = createMetrics();
    let usage = [
      { provider: 'jimeng', state: 'normal', inUse: 2, free: 3 },
      { provider: 'jimeng', state: 'cooling_down', inUse: 0, free: 1 },
    ];
    pool.watch(async () => usage);
    const slot = (state: string, use: string) =>
      valueOf(registry, 'dreamloom_pool_slots', { provider: 'jimeng', account_state: state, slot: use });
    expect(await slot('normal', 'in_use')).toBe(2);
    expect(await slot('normal', 'free')).toBe(3);
    expect(await slot('cooling_down', 'free')).toBe(1);
    usage = [{ provider: 'jimeng', state: 'normal', inUse: 5, free: 0 }];
    expect(await slot('normal', 'in_use')).toBe(5);
    expect(await slot('cooling_down', 'free')).toBe(undefined);
  });

  it('counts open SSE streams (closing twice counts once) and reads socket servers when scraped', async () => {
    const { registry, connections } = createMetrics();
    const closeFirst = connections.sseOpened();
    connections.sseOpened();
    let sockets = 4;
    connections.watch('socketio', () => sockets);
    expect(await valueOf(registry, 'dreamloom_connections_open', { transport: 'sse' })).toBe(2);
    expect(await valueOf(registry, 'dreamloom_connections_open', { transport: 'socketio' })).toBe(4);
    closeFirst();
    closeFirst();
    sockets = 1;
    expect(await valueOf(registry, 'dreamloom_connections_open', { transport: 'sse' })).toBe(1);
    expect(await valueOf(registry, 'dreamloom_connections_open', { transport: 'socketio' })).toBe(1);
  });

  it('counts credits charged and refunded in MC', async () => {
    const { registry, credits } = createMetrics();
    credits.charged.inc(8);
    credits.charged.inc(2);
    credits.refunded.inc(8);
    expect(await valueOf(registry, 'dreamloom_credits_charged_total')).toBe(10);
    expect(await valueOf(registry, 'dreamloom_credits_refunded_total')).toBe(8);
  });
});

describe('metrics endpoint', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(token: string | undefined) {
    const { registry, credits } = createMetrics();
    credits.charged.inc(3);
    server = createServer((req, res) => {
      if (isMetricsRequest(req)) return void serveMetrics(registry, token, req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  it('serves the text format openly without a token', async () => {
    const base = await serve(undefined);
    const answer = await fetch(`${base}${METRICS_PATH}?x=1`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(await answer.text()).toContain('dreamloom_credits_charged_total 3');
    expect((await fetch(`${base}/metricsx`)).status).toBe(404);
    expect((await fetch(`${base}${METRICS_PATH}`, { method: 'POST' })).status).toBe(404);
  });

  it('asks for the bearer token when one is set', async () => {
    const base = await serve('a-long-metrics-token');
    const without = await fetch(`${base}${METRICS_PATH}`);
    expect(without.status).toBe(401);
    expect(await without.text()).not.toContain('dreamloom');
    const wrong = await fetch(`${base}${METRICS_PATH}`, {
      headers: { authorization: 'Bearer a-long-metrics-tokeN' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${base}${METRICS_PATH}`, {
      headers: { authorization: 'Bearer a-long-metrics-token' },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('dreamloom_credits_charged_total 3');
  });
});
