import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards, waitForBatch } from './support/jimeng.js';
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
 * draining for as long as the call takes, and the job it held is finished by another worker.
 */
describe('worker probes, and shutdown bounded by SHUTDOWN_GRACE_MS', () => {
  let system: RunningSystem;
  const workers: ChildProcess[] = [];
  const GRACE_MS = 1500;

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), QUEUE_LOCK_MS: '3000', LEASE_TTL_MS: '3000' },
    });
  });
  afterAll(async () => {
    for (const worker of workers) await killHard(worker);
    system?.sandbox.state.setLatency(30);
    await system?.stop();
  });

  it('answers /health and /ready, drains unready for at most the grace with a 20 s call running; another worker finishes the item once', async () => {
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
    system.sandbox.state.setLatency(20_000);
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
    // Let the provider call start before stopping.
    await new Promise((resolve) => setTimeout(resolve, 500));

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

    // The next worker takes the job once its lock lapses and finishes it, once.
    system.sandbox.state.setLatency(30);
    workers.push(await spawnWorker(system.env));
    const final = await waitForBatch(system, token, batchId, 30_000);
    expect(final.status).toBe('completed');
    expect(final.completed_count).toBe(1);
    expect(final.details).toHaveLength(1);
  }, 90_000);
});
