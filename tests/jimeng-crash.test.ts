import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards, waitForBatch } from './support/jimeng.js';
import { killHard, spawnWorker } from './support/worker-process.js';

/**
 * Issue 3's crash test: `kill -9` the worker process in the middle of a 200-item batch and start
 * a new one. Every item completes exactly once and no account is left with in-flight leases.
 */
describe('worker crash in the middle of a batch', () => {
  let system: RunningSystem;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      // Short leases and job locks so the dead worker's work comes back within seconds.
      env: {
        BATCH_MAX_IMAGE_ITEMS: '200',
        WORKER_CONCURRENCY: '9',
        LEASE_TTL_MS: '3000',
        QUEUE_LOCK_MS: '3000',
      },
    });
    system.sandbox.state.setLatency(250);
    // One image per call keeps the sandbox's PNG rendering from dominating a 2-core machine.
    system.sandbox.state.updateSettings({ jimengImagesPerCall: 1 });
    // 200 items plus the re-runs of the killed ones need more than a day's free 66 points each.
    for (const account of await system.core.models.ProviderAccount.findAll()) {
      system.sandbox.state.setJimengToken(system.core.secrets.open(account.secret_enc), { points: 1000 });
    }
  });
  afterAll(async () => {
    for (const worker of workers) await killHard(worker);
    await system?.stop();
  });

  it('finishes every item exactly once after kill -9 and a restart', { timeout: 180_000 }, async () => {
    const token = system.admin.token;
    workers.push(await spawnWorker(system.env));
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-crash', batch_data: storyboards(200, 'crash') },
    });
    const batchId = submitted.body.data.batch_id;

    // Let it get well into the batch, with items in flight, then kill it without warning.
    const deadline = Date.now() + 60_000;
    let status: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token })).body
        .data;
    } while ((status.completed_count < 40 || status.processing_count === 0) && Date.now() < deadline);
    expect(status.processing_count).toBeGreaterThan(0);
    await killHard(workers[0]);
    const completedAtCrash = status.completed_count;

    workers.push(await spawnWorker(system.env));
    const final = await waitForBatch(system, token, batchId, 120_000);
    expect(final.status).toBe('completed');
    expect(final.completed_count).toBe(200);
    expect(completedAtCrash).toBeLessThan(200);

    // Exactly once: one task per storyboard, all completed, no record retried, no duplicate media.
    const tasks = await system.core.models.GenerationTask.findAll({ where: { batch_id: batchId } });
    expect(tasks).toHaveLength(200);
    expect(tasks.every((task) => task.status === 'completed')).toBe(true);
    const records = await system.core.jimeng.models.JimengRecord.findAll({ where: { batch_id: batchId } });
    expect(records.every((record) => record.retry_count === 0 && record.generation_status === 2)).toBe(true);
    expect(new Set(records.map((record) => record.task_id)).size).toBe(200);
    const media = await system.core.models.MediaAsset.findAll({
      where: { task_id: tasks.map((task) => task.id) },
    });
    const keys = media.map((asset) => `${asset.task_id}:${asset.position}`);
    expect(new Set(keys).size).toBe(keys.length);

    // The dead worker's leases lapse; nothing stays in flight.
    const accounts = await system.core.models.ProviderAccount.findAll();
    const leaseDeadline = Date.now() + 10_000;
    let inFlight: number[];
    do {
      inFlight = [
        ...(await system.core.pool['deps'].leases.inFlight(accounts.map((account) => account.id))).values(),
      ];
      if (inFlight.every((count) => count === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < leaseDeadline);
    expect(inFlight.every((count) => count === 0)).toBe(true);
  });
});
