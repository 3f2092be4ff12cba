import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, startWorker, type Core } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { waitForEnd } from './support/anime.js';

/** The engine's account handling and the reconciler on SQLite, the embedded default. */
describe('generation failover and recovery (SQLite)', () => {
  let system: RunningSystem;
  const member = () => botHeaders(system.botToken, 'discord', '31337');

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('re-queues a task the queue lost, once a worker runs (the database is the source of truth)', async () => {
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: member(),
      body: { gen_type: 'anime', prompt: 'lost in the queue' },
    });
    const taskId = created.body.data.generation_uuid;
    expect(['waiting', 'prioritized']).toContain(await system.core.queue.state('generation', taskId));
    expect(await system.core.queue.remove('generation', taskId)).toBe(true);
    expect(await system.core.queue.state('generation', taskId)).toBe('missing');

    const worker: Core = createCore(system.config);
    try {
      await startWorker(worker); // the reconciler ticks every second in tests, after a 2 s grace
      const final = await waitForEnd(system, taskId, member());
      expect(final.status).toBe('completed');
      expect(final.results).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });

  it('fails over from an expired account to a healthy one and explains why in the pool', async () => {
    const worker: Core = createCore(system.config);
    await startWorker(worker);
    try {
      const accounts = await system.core.models.ProviderAccount.findAll({ order: [['create_time', 'ASC']] });
      // Make every account but one look dead upstream; the pool must find the live one.
      const [healthy, ...others] = accounts;
      for (const account of others)
        system.sandbox.state.setJimengToken(system.core.secrets.open(account.secret_enc), { live: false });
      const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers: member(),
        body: { gen_type: 'anime', prompt: 'the one account that still works' },
      });
      const taskId = created.body.data.generation_uuid;
      const final = await waitForEnd(system, taskId, member());
      expect(final.status).toBe('completed');
      const task = await system.core.models.GenerationTask.findByPk(taskId);
      expect(task!.account_id).toBe(healthy.id);
      expect(task!.attempts).toBeLessThanOrEqual(3);
      for (const account of others) {
        await account.reload();
        if (account.last_error) {
          expect(account.account_status).toBe(1);
          expect(account.status_reason).toMatch(/Session expired/);
        }
      }

      // Now the last one dies too: the task fails with a clear reason instead of waiting forever.
      system.sandbox.state.setJimengToken(system.core.secrets.open(healthy.secret_enc), { live: false });
      const doomed = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers: member(),
        body: { gen_type: 'anime', prompt: 'nobody left to draw this' },
      });
      const failed = await waitForEnd(system, doomed.body.data.generation_uuid, member());
      expect(failed.status).toBe('failed');
      // Members get the stable English class; staff also see the pool's own reason.
      expect(failed.error_code).toBe('PROVIDER_BUSY');
      expect(failed.error_message).toBe('The provider is busy; try again later');
      const forStaff = await api(
        system.baseUrl,
        'GET',
        `/api/generation/status/${doomed.body.data.generation_uuid}`,
        { token: system.admin.token },
      );
      expect(forStaff.body.error_detail).toMatch(/No usable jimeng account|Gave up/);
      const inFlight = await system.core.pool['deps'].leases.inFlight(accounts.map((account) => account.id));
      expect([...inFlight.values()].every((count) => count === 0)).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it('fails a content-blocked prompt without blaming the account', async () => {
    await system.core.models.ProviderAccount.update(
      { account_status: 0, status_reason: null, last_error: null },
      { where: {} },
    );
    for (const account of await system.core.models.ProviderAccount.findAll()) {
      system.sandbox.state.setJimengToken(system.core.secrets.open(account.secret_enc), {
        live: true,
        points: 66,
      });
    }
    const worker: Core = createCore(system.config);
    await startWorker(worker);
    try {
      system.sandbox.state.injectFault({ provider: 'jimeng', code: -2006 });
      const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers: member(),
        body: { gen_type: 'anime', prompt: 'something the moderator refuses' },
      });
      const final = await waitForEnd(system, created.body.data.generation_uuid, member());
      expect(final.status).toBe('failed');
      const task = await system.core.models.GenerationTask.findByPk(created.body.data.generation_uuid);
      expect(task!.error_code).toBe('PROVIDER_CONTENT_BLOCKED');
      expect(task!.attempts).toBe(1);
      const account = await system.core.models.ProviderAccount.findByPk(task!.account_id!);
      expect(account!.account_status).toBe(0);
    } finally {
      await worker.close();
    }
  });
});
