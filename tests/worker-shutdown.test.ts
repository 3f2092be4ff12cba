import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards, waitForBatch } from './support/jimeng.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';
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

/**
 * An operator stopping a worker (SIGTERM, as systemd or Kubernetes do) while a provider call is
 * slower than any orchestrator waits: the worker exits within SHUTDOWN_GRACE_MS instead of
 * draining for as long as the call takes, and hands the job it held back: another worker, already
 * running, finishes it at once (long before the 60 s lock would have lapsed), as one attempt.
 */
describe('worker probes, and shutdown bounded by SHUTDOWN_GRACE_MS', () => {
  let system: RunningSystem;
  const workers: ChildProcess[] = [];
  const GRACE_MS = 1500;

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      // Lock and lease far longer than the test waits: only a hand-back can free them in time.
      env: {
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        QUEUE_LOCK_MS: '60000',
        LEASE_TTL_MS: '60000',
        NANOBANANA_ANONYMOUS: 'true',
      },
    });
  });
  afterAll(async () => {
    for (const worker of workers) await killHard(worker);
    system?.sandbox.state.setLatency(30);
    await system?.stop();
  });

  it('answers /health and /ready, drains unready for at most the grace with a 60 s call running, then hands the job back; another worker finishes the item at once, once', async () => {
    const token = system.admin.token;
    const probePort = await freePort();
    const probe = (path: string) =>
      fetch(`http://127.0.0.1:${probePort}${path}`).then(async (answer) => ({
        status: answer.status,
        body: await answer.json(),
      }));
    const worker = await spawnWorker({ ...system.env, WORKER_HEALTH_PORT: String(probePort) });
    workers.push(worker);
    expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok', role: 'worker' } });
    // "worker started" is logged just before the processors count as started: allow that moment.
    const readyBy = Date.now() + 2_000;
    while ((await probe('/ready')).status !== 200 && Date.now() < readyBy)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await probe('/ready')).toEqual({
      status: 200,
      body: { status: 'ok', role: 'worker', checks: { database: true, redis: true } },
    });
    system.sandbox.state.setLatency(60_000);
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-shutdown', batch_data: storyboards(1, 'shutdown') },
    });
    const batchId = submitted.body.data.batch_id;
    const deadline = Date.now() + 15_000;
    let status: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token })).body
        .data;
    } while (status.processing_count === 0 && Date.now() < deadline);
    expect(status.processing_count).toBe(1);
    const generationCalls = () =>
      system.sandbox.state.counters.count('jimeng', undefined, 'images/generations');
    // The provider call has started; a second worker stands by, idle.
    const callStartedBy = Date.now() + 10_000;
    while (generationCalls() === 0 && Date.now() < callStartedBy)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(generationCalls()).toBe(1);
    workers.push(await spawnWorker(system.env));
    system.sandbox.state.setLatency(30);

    const stoppedAt = Date.now();
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    // Draining: alive (nothing should kill it early) but not ready (send nothing new here).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok', role: 'worker' } });
    expect(await probe('/ready')).toEqual({ status: 503, body: { status: 'draining', role: 'worker' } });
    const code = await exited;
    const took = Date.now() - stoppedAt;
    expect(code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(took).toBeLessThan(GRACE_MS + 4000);

    // Handed back, not left to its lock (renewed until the exit, it lapses 30 s or more later):
    // the standing-by worker takes it and finishes it.
    const exitedAt = Date.now();
    const final = await waitForBatch(system, token, batchId, 25_000);
    const finishedAfterExitMs = Date.now() - exitedAt;
    console.log(
      `handed back: exited ${took} ms after SIGTERM, item finished ${finishedAfterExitMs} ms after the exit`,
    );
    expect(final.status).toBe('completed');
    expect(final.completed_count).toBe(1);
    expect(final.details).toHaveLength(1);
    expect(finishedAfterExitMs).toBeLessThan(20_000);
    // One task, completed once; the aborted call gave its attempt back (only the finishing call
    // counts), and the queue saw one completion: no failed attempt, no stall.
    const tasks = await system.core.models.GenerationTask.findAll();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'completed', attempts: 1, error_code: null });
    expect(generationCalls()).toBe(2);
    const job = await system.core.redis.hgetall(`${system.config.REDIS_PREFIX}:generation:${tasks[0].id}`);
    expect(job.atm).toBe('1');
    expect(job.stc ?? '0').toBe('0');
    expect(job.failedReason).toBeUndefined();
    // The stopped worker released its account slot (a 60 s lease cannot have lapsed yet).
    const leases = await system.core.redis.keys(`${system.config.REDIS_PREFIX}:lease:*`);
    for (const key of leases) expect(await system.core.redis.zcount(key, `(${Date.now()}`, '+inf')).toBe(0);
  }, 90_000);

  it('hands back a NanoBanana position (a fanned-out item job) the same way: another worker makes it at once, once', async () => {
    // The worker that finished the Jimeng item above is the one stopped now.
    const [stopping] = workers.filter((worker) => worker.exitCode === null && worker.signalCode === null);
    expect(stopping).toBeDefined();
    const geminiCalls = () => system.sandbox.state.counters.count('gemini');
    const callsBefore = geminiCalls();
    system.sandbox.state.setLatency(60_000);
    const created = await createBatch(system.baseUrl, { prompt: 'handed back', count: 1 });
    expect(created.status).toBe(200);
    const taskId = created.body.data.id as string;
    const callStartedBy = Date.now() + 15_000;
    while (geminiCalls() === callsBefore && Date.now() < callStartedBy)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(geminiCalls()).toBe(callsBefore + 1);
    workers.push(await spawnWorker(system.env));
    system.sandbox.state.setLatency(30);

    const exited = new Promise((resolve) => stopping.once('exit', resolve));
    stopping.kill('SIGTERM');
    await exited;
    const exitedAt = Date.now();
    const done = await waitForTask(system.baseUrl, taskId, {}, 25_000);
    const finishedAfterExitMs = Date.now() - exitedAt;
    console.log(`handed back (NanoBanana position): finished ${finishedAfterExitMs} ms after the exit`);
    expect(done).toMatchObject({ status: 'completed', completedCount: 1, totalCount: 1 });
    expect(finishedAfterExitMs).toBeLessThan(20_000);
    expect(geminiCalls()).toBe(callsBefore + 2);
    // The position ran twice (the call handed back, then the redo) and never failed.
    const item = await system.core.nanobanana.models.TaskItem.findOne({
      where: { task_id: taskId, position: 0 },
    });
    expect(item).toMatchObject({ status: 'done', attempts: 2, error_message: null });
    // The job itself spent no attempt and never stalled. Its hash can already have been replaced by
    // the task-level pass, which re-queues a position whose job it finds ended (a fresh job with no
    // attempts yet, that finds the position done and does nothing): then only the row above speaks.
    const job = await system.core.redis.hgetall(`${system.config.REDIS_PREFIX}:generation-item:${taskId}.0`);
    expect(job.atm ?? '1').toBe('1');
    expect(job.stc ?? '0').toBe('0');
    expect(job.failedReason).toBeUndefined();
  }, 90_000);
});
