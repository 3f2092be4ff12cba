import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { storyboards, waitForBatch } from './support/jimeng.js';

/** Pool upkeep (quota resets, test now, staff disable) and queue priorities (§11.2). */
describe('Jimeng pool upkeep and priorities', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    // One worker slot makes the queue order visible: whatever runs next is what the queue chose.
    system = await startSystem({ db: 'sqlite', env: { WORKER_CONCURRENCY: '1' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('restores accounts at their quota reset time and sets the next one', async () => {
    const [account] = await system.core.models.ProviderAccount.findAll({ order: [['create_time', 'ASC']] });
    await account.update({
      image_generation_status: 0,
      video_generation_status: 0,
      image_count: 66,
      status_reason: 'Out of points for image generation until the quota reset',
      quota_reset_time: new Date(Date.now() - 60_000),
    });
    expect(await system.core.jimeng.maintenance.resetDueQuotas()).toBe(1);
    await account.reload();
    expect(account).toMatchObject({
      image_generation_status: 1,
      video_generation_status: 1,
      image_count: 0,
      status_reason: null,
    });
    expect(account.quota_reset_time.getTime()).toBeGreaterThan(Date.now());
    expect(await system.core.jimeng.maintenance.resetDueQuotas()).toBe(0);
  });

  it('tests an account now, reading credits and marking a dead session invalid with a reason', async () => {
    const token = system.admin.token;
    const accounts = (await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', { token })).body.data
      .list;
    const live = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/test', {
      token,
      body: { id: accounts[0].id },
    });
    expect(live.body.data).toMatchObject({ live: true, message: 'Session is live' });
    expect(live.body.data.credits.totalCredit).toBeGreaterThan(0);
    const row = await system.core.models.ProviderAccount.findByPk(accounts[1].id);
    system.sandbox.state.setJimengToken(system.core.secrets.open(row!.secret_enc), { live: false });
    const dead = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/test', {
      token,
      body: { id: accounts[1].id },
    });
    expect(dead.body.data).toMatchObject({ live: false, message: 'Session expired' });
    const listed = (await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', { token })).body.data
      .list;
    expect(listed.find((account: any) => account.id === accounts[1].id)).toMatchObject({
      account_status: 1,
      status_reason: expect.stringMatching(/Session expired/),
    });
    expect(listed.find((account: any) => account.id === accounts[0].id).credits).toBeGreaterThan(0);
    // Staff can disable and re-enable by hand; a disabled account takes no work.
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token,
      body: { accounts: [{ id: accounts[0].id, account_status: 3 }] },
    });
    expect((await system.core.models.ProviderAccount.findByPk(accounts[0].id))!.account_status).toBe(3);
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token,
      body: { accounts: [{ id: accounts[0].id, account_status: 0 }] },
    });
    expect((await system.core.models.ProviderAccount.findByPk(accounts[0].id))!.account_status).toBe(0);
    system.sandbox.state.setJimengToken(system.core.secrets.open(row!.secret_enc), { live: true });
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/reset-status', {
      token,
      body: { id: accounts[1].id },
    });
  });

  it('lets an urgent batch overtake a normal one already queued', async () => {
    const token = system.admin.token;
    system.sandbox.state.setLatency(150);
    const normal = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-normal', batch_data: storyboards(8, 'normal'), global_config: { priority: 3 } },
    });
    const urgent = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-urgent', batch_data: storyboards(2, 'urgent'), global_config: { priority: 1 } },
    });
    await waitForBatch(system, token, normal.body.data.batch_id, 60_000);
    await waitForBatch(system, token, urgent.body.data.batch_id, 60_000);
    const started = async (batchId: string) =>
      (await system.core.models.GenerationTask.findAll({ where: { batch_id: batchId } })).map((task) =>
        task.started_at!.getTime(),
      );
    const normalStarts = (await started(normal.body.data.batch_id)).sort((a, b) => a - b);
    const urgentStarts = await started(urgent.body.data.batch_id);
    // With one slot, at most the normal item already running starts before the urgent ones.
    for (const start of urgentStarts)
      expect(normalStarts.filter((time) => time < start).length).toBeLessThanOrEqual(1);
    system.sandbox.state.setLatency(30);
  });
});
