import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards, waitForBatch } from './support/jimeng.js';
import { killHard, spawnWorker } from './support/worker-process.js';

/** Issue 14's target for each recovery below. */
const TARGET_MS = 15_000;

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

/** Polls `check` every 50 ms until it holds; returns when it first did, or throws after `timeoutMs`. */
async function whenTrue(label: string, check: () => Promise<boolean> | boolean, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${label}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now();
}

/**
 * Issue 14 ("runs on many machines"): how long work stays stuck after a worker is killed (-9)
 * or Redis loses its data, measured with real worker processes, the recovery knobs at their
 * defaults (QUEUE_LOCK_MS, QUEUE_STALLED_CHECK_MS, LEASE_TTL_MS, REDIS_LOSS_CHECK_MS, and the
 * reconciler's production interval and grace) and a Redis of the test's own, which it flushes.
 * MariaDB only: the figures are about Redis and the workers, not the database dialect.
 */
describe('recovery times (kill -9, Redis flush, Redis restarted empty)', () => {
  let redisServer: ChildProcess;
  let redisPort: number;
  /** A Redis that keeps nothing on disk: a restart comes back empty. */
  const startRedis = () =>
    spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  let redis: Redis;
  let system: RunningSystem;
  const workers: ChildProcess[] = [];
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    redisPort = await freePort();
    redisServer = startRedis();
    const port = redisPort;
    redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
    redis.on('error', () => undefined); // refused until the server listens; whenTrue retries
    await whenTrue(
      'own redis-server up',
      () =>
        redis.connect().then(
          () => true,
          () => false,
        ),
      10_000,
    );
    system = await startSystem({
      db: 'mariadb',
      worker: false,
      env: {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        // The production reconciler, not the test systems' 1 s pass: a flush must not wait for it.
        RECONCILE_INTERVAL_MS: '30000',
        RECONCILE_GRACE_MS: '10000',
        WORKER_CONCURRENCY: '2',
      },
    });
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) await killHard(worker);
    system?.sandbox.state.setLatency(30);
    await system?.stop();
    redis?.disconnect();
    if (redisServer && redisServer.exitCode === null) {
      const exited = new Promise((resolve) => redisServer.once('exit', resolve));
      redisServer.kill('SIGTERM');
      await exited;
    }
    console.log('recovery times (ms):', JSON.stringify(figures));
  });

  const generationCalls = () =>
    system.sandbox.state.counters.count('jimeng', undefined, 'images/generations');
  const prefix = () => system.config.REDIS_PREFIX;

  async function submit(count: number, name: string): Promise<string> {
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: { work_id: `work-${name}`, batch_data: storyboards(count, name) },
    });
    expect(submitted.status).toBe(200);
    return submitted.body.data.batch_id;
  }

  /** Account leases alive now: `key member` strings. */
  async function liveLeases(): Promise<string[]> {
    const now = Date.now();
    const live: string[] = [];
    for (const key of await redis.keys(`${prefix()}:lease:*`))
      for (const member of await redis.zrangebyscore(key, `(${now}`, '+inf')) live.push(`${key} ${member}`);
    return live;
  }

  it('a killed worker: its job runs again on another worker and its account slots are free, both within 15 s', async () => {
    system.sandbox.state.setLatency(60_000);
    const victim = await spawnWorker(system.env);
    workers.push(victim);
    const batchId = await submit(1, 'killed');
    await whenTrue('the provider call started', () => generationCalls() === 1, 20_000);
    // The survivor is idle: whatever keeps the job from it is the recovery itself.
    const survivorProbes = await freePort();
    workers.push(await spawnWorker({ ...system.env, WORKER_HEALTH_PORT: String(survivorProbes) }));
    const [jobId] = await redis.lrange(`${prefix()}:generation:active`, 0, -1);
    expect(jobId).toBeTruthy();
    const jobKey = `${prefix()}:generation:${jobId}`;
    const firstStart = await redis.hget(jobKey, 'processedOn');
    const victimLeases = await liveLeases();
    expect(victimLeases.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    await killHard(victim);
    system.sandbox.state.setLatency(30);
    const [slotsFreeAt, jobBackAt, resentAt] = await Promise.all([
      whenTrue('the dead worker’s leases lapsed', async () => {
        const live = new Set(await liveLeases());
        return victimLeases.every((lease) => !live.has(lease));
      }),
      whenTrue('the job started again', async () => (await redis.hget(jobKey, 'processedOn')) !== firstStart),
      whenTrue('the provider call was made again', () => generationCalls() === 2),
    ]);
    figures.killedJobBackMs = jobBackAt - killedAt;
    figures.killedSlotsFreeMs = slotsFreeAt - killedAt;
    figures.killedCallAgainMs = resentAt - killedAt;

    const final = await waitForBatch(system, system.admin.token, batchId, 30_000);
    expect(final).toMatchObject({ status: 'completed', completed_count: 1 });
    // The survivor's stalled check found the job: operators see it (each such generation that was
    // mid-call is one provider call sent again).
    const metrics = await (await fetch(`http://127.0.0.1:${survivorProbes}/metrics`)).text();
    expect(metrics).toContain('dreamloom_queue_jobs_stalled_total{queue="generation"} 1');
    expect(figures.killedJobBackMs).toBeLessThanOrEqual(TARGET_MS);
    expect(figures.killedSlotsFreeMs).toBeLessThanOrEqual(TARGET_MS);
  }, 90_000);

  it('a flushed Redis: the lost queued jobs run again within 15 s; the job still running is not queued twice', async () => {
    // The survivor of the test above, or a worker of its own when run alone.
    if (!workers.some((worker) => worker.exitCode === null && worker.signalCode === null))
      workers.push(await spawnWorker(system.env));
    const callsBefore = generationCalls();
    // One long call holds one of the two slots across the flush…
    system.sandbox.state.setLatency(8_000);
    const longBatch = await submit(1, 'running-through-flush');
    await whenTrue('the long call started', () => generationCalls() === callsBefore + 1, 20_000);
    // …while a batch goes through the other slot one item at a time, the rest queued.
    system.sandbox.state.setLatency(300);
    const items = 20;
    const batch = await submit(items, 'flushed');
    await whenTrue('the batch started', () => generationCalls() >= callsBefore + 2, 20_000);
    await redis.flushall();
    const flushedAt = Date.now();
    const callsAtFlush = generationCalls();
    const resumedAt = await whenTrue('a lost job ran', () => generationCalls() > callsAtFlush);
    figures.flushResumedMs = resumedAt - flushedAt;

    const final = await waitForBatch(system, system.admin.token, batch, 60_000);
    expect(final).toMatchObject({ status: 'completed', completed_count: items });
    expect(final.details).toHaveLength(items);
    expect(await waitForBatch(system, system.admin.token, longBatch, 30_000)).toMatchObject({
      status: 'completed',
      completed_count: 1,
    });
    // Every task of this file (the killed worker's one, if it ran, and these) completed.
    const tasks = await system.core.models.GenerationTask.findAll();
    expect(tasks.length).toBeGreaterThanOrEqual(items + 1);
    expect(tasks.filter((task) => task.status !== 'completed')).toEqual([]);
    // One call per item: the job running through the flush was not queued again (its worker
    // wrote it down as running), and no queued one ran twice.
    figures.flushProviderCalls = generationCalls() - callsBefore;
    expect(figures.flushProviderCalls).toBe(items + 1);
    expect(figures.flushResumedMs).toBeLessThanOrEqual(TARGET_MS);
  }, 90_000);

  it('a Redis restarted empty: the lost queued jobs run again within 15 s of it answering, each once', async () => {
    if (!workers.some((worker) => worker.exitCode === null && worker.signalCode === null))
      workers.push(await spawnWorker(system.env));
    system.sandbox.state.setLatency(300);
    const callsBefore = generationCalls();
    const items = 10;
    const batch = await submit(items, 'restarted');
    await whenTrue('the batch started', () => generationCalls() >= callsBefore + 1, 20_000);
    const stopped = new Promise((resolve) => redisServer.once('exit', resolve));
    redisServer.kill('SIGKILL');
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    redisServer = startRedis();
    const backAt = await whenTrue(
      'Redis answers again',
      () =>
        redis.ping().then(
          (answer) => answer === 'PONG',
          () => false,
        ),
      10_000,
    );
    const callsAtRestart = generationCalls();
    const resumedAt = await whenTrue('a lost job ran', () => generationCalls() > callsAtRestart);
    figures.restartResumedMs = resumedAt - backAt;
    // The worker noticed the loss (it had to write its marker again), so its reconciler queued
    // every unfinished task again: not only what was still in flight when Redis went away.
    await whenTrue(
      'the worker noticed the empty Redis',
      async () => (await redis.keys(`${prefix()}:loss-marker:*`)).length > 0,
      5_000,
    );

    const final = await waitForBatch(system, system.admin.token, batch, 60_000);
    expect(final).toMatchObject({ status: 'completed', completed_count: items });
    figures.restartProviderCalls = generationCalls() - callsBefore;
    expect(figures.restartProviderCalls).toBe(items);
    expect(figures.restartResumedMs).toBeLessThanOrEqual(TARGET_MS);
  }, 90_000);
});
