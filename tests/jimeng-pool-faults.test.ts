import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { addAccounts, storyboards, waitForBatch } from './support/jimeng.js';

/**
 * Issue 3's fault test: 200 images over 10 accounts while 3 run out of points mid-run, 1 has an
 * expired session and 1 is rate-limited. Every item must complete, the accounts must end in the
 * right states with reasons, and retries must stay bounded.
 */
describe('account pool under faults (200 images, 10 accounts)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({
      db: (process.env.FAULT_DB as 'sqlite' | 'mariadb') ?? 'sqlite',
      env: { WORKER_CONCURRENCY: '30', BATCH_MAX_IMAGE_ITEMS: '200', GENERATION_MAX_ATTEMPTS: '6' },
    });
    // One image per call keeps the sandbox's PNG rendering from dominating a 2-core machine.
    system.sandbox.state.updateSettings({ jimengImagesPerCall: 1 });
    // Only this test's ten accounts in the pool.
    await system.core.models.ProviderAccount.update({ is_deleted: true }, { where: {} });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it(
    'completes every item and leaves each faulty account in its right state',
    { timeout: 150_000 },
    async () => {
      const token = system.admin.token;
      const sessions = await addAccounts(system, token, 10, 'pool');
      const [broke1, broke2, broke3, expired, limited] = sessions;
      for (const session of [broke1, broke2, broke3])
        system.sandbox.state.setJimengToken(session, { points: 6 });
      system.sandbox.state.setJimengToken(expired, { live: false });
      system.sandbox.state.injectFault({
        provider: 'jimeng',
        credential: limited,
        kind: 'anti-bot',
        count: 1,
      });
      system.sandbox.state.resetStats();

      const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: {
          work_id: 'work-faults',
          batch_data: storyboards(200, 'fault'),
          global_config: { account_strategy: { load_balance: 'least_used' } },
        },
      });
      expect(submitted.body.data.queue_count).toBe(200);
      const final = await waitForBatch(system, token, submitted.body.data.batch_id, 120_000);
      expect(final.status).toBe('completed');
      expect(final.completed_count).toBe(200);
      expect(
        final.details.every((detail: any) => detail.status === 'completed' && detail.result_urls.length > 0),
      ).toBe(true);

      const accounts = await system.core.models.ProviderAccount.findAll({ where: { is_deleted: false } });
      const bySession = new Map(
        accounts.map((account) => [system.core.secrets.open(account.secret_enc), account]),
      );
      for (const session of [broke1, broke2, broke3]) {
        const account = bySession.get(session)!;
        expect(account.image_generation_status).toBe(0);
        expect(account.account_status).toBe(0);
        expect(account.status_reason).toMatch(/Out of points for image generation/);
        expect(account.image_count).toBe(6);
      }
      expect(bySession.get(expired)).toMatchObject({
        account_status: 1,
        status_reason: expect.stringMatching(/Session expired/),
      });
      const cooled = bySession.get(limited)!;
      expect(cooled.account_status).toBe(2);
      expect(cooled.status_reason).toMatch(/Rate limited/);
      expect(cooled.cooldown_until!.getTime()).toBeGreaterThan(Date.now());
      for (const session of sessions.slice(5)) expect(bySession.get(session)!.account_status).toBe(0);

      // Bounded retries: no task went past its attempt limit, and failures cost few extra calls.
      const tasks = await system.core.models.GenerationTask.findAll({
        where: { batch_id: submitted.body.data.batch_id },
      });
      expect(tasks).toHaveLength(200);
      expect(Math.max(...tasks.map((task) => task.attempts))).toBeLessThanOrEqual(6);
      const extraCalls = tasks.reduce((sum, task) => sum + task.attempts, 0) - 200;
      expect(extraCalls).toBeLessThan(40);
      const callsToExpired = system.sandbox.state.callCount('jimeng', expired, 'images/generations');
      expect(callsToExpired).toBeLessThanOrEqual(3); // disabled after the first failures, shared by all slots

      const leases = await system.core.pool['deps'].leases.inFlight(accounts.map((account) => account.id));
      expect([...leases.values()].every((count) => count === 0)).toBe(true);
    },
  );
});
