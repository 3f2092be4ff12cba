import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCore,
  createSequelize,
  JIMENG_ERROR_WORDINGS,
  JimengGatewayClient,
  matchJimengWording,
  ProviderError,
  startWorker,
  type Core,
} from '@dreamloom/core';
import { createMigrator, migrateUp } from '@dreamloom/migrations';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { addAccounts, createStaff, storyboards, waitForBatch } from './support/jimeng.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * Contract 003 as a client reads it: documented gateway wordings classified (and sendable by the
 * sandbox), totals that are the sum of their parts, §6.4's detail fields, credits that follow use,
 * one pool entry per upstream session, and generation times below a second.
 */
describe.each(['sqlite', 'mariadb'] as const)('Jimeng contract fidelity (contract 003) on %s', (db) => {
  let system: RunningSystem;
  let token: string;
  let worker: Core | null = null;

  const accountsList = async () =>
    (await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list?size=200', { token })).body.data
      .list as any[];
  const accountStats = async () =>
    (await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/statistics', { token })).body.data;
  const sessionOf = async (accountId: string) =>
    system.core.secrets.open((await system.core.models.ProviderAccount.findByPk(accountId))!.secret_enc);
  /** Only these sessions in the pool from now on (earlier accounts deleted behind the API's back). */
  const onlyAccounts = async (count: number, prefix: string) => {
    await system.core.models.ProviderAccount.update({ is_deleted: true }, { where: {} });
    const sessions = await addAccounts(system, token, count, prefix);
    // The worker's pool caches eligible accounts for a second.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    return sessions;
  };
  const accountBySession = async (session: string) => {
    for (const account of await accountsList()) if ((await sessionOf(account.id)) === session) return account;
    throw new Error(`no account for ${session}`);
  };
  const until = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    // The worker starts later: the first batch must still be queued when it is cancelled.
    system = await startSystem({ db, worker: false, env: { WORKER_CONCURRENCY: '12' } });
    token = system.admin.token;
  });
  afterAll(async () => {
    await worker?.close();
    await system?.stop();
  });

  it('sandbox sends every documented gateway wording and the client classifies each by its own row', async () => {
    const client = new JimengGatewayClient({ baseUrl: system.config.JIMENG_BASE_URL, timeoutMs: 10_000 });
    for (const [index, row] of JIMENG_ERROR_WORDINGS.entries()) {
      const session = `wording-${index}-session-xxxxxxxx`;
      system.sandbox.state.injectFault({ provider: 'jimeng', credential: session, kind: row.name });
      const error = await client
        .generateImages(session, { model: 'jimeng-4.5', prompt: 'x', ratio: '1:1', resolution: '2k' })
        .then(
          () => null,
          (thrown: unknown) => thrown,
        );
      expect(error, row.name).toBeInstanceOf(ProviderError);
      const failure = error as ProviderError;
      expect({ wording: row.name, kind: failure.kind }).toEqual({ wording: row.name, kind: row.kind });
      expect(matchJimengWording(Number(failure.upstreamCode), failure.message)?.name).toBe(row.name);
    }
  });

  it('counts a cancelled batch as cancelled, not failed, with progress 0 (§10.1)', async () => {
    try {
      await cancelledBatchCounts();
    } finally {
      worker = createCore(system.config);
      await startWorker(worker);
    }
  });

  async function cancelledBatchCounts() {
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-arith', batch_data: storyboards(2, 'arith-cancel') },
    });
    const batchId = submitted.body.data.batch_id;
    const cancelled = await api(system.baseUrl, 'POST', `/api/v1/jimeng/batch/${batchId}/cancel`, {
      token,
      body: { reason: 'not needed' },
    });
    expect(cancelled.body.data.cancelled_count).toBe(2);
    const status = await waitForBatch(system, token, batchId, 10_000);
    expect(status).toMatchObject({
      status: 'cancelled',
      total_count: 2,
      completed_count: 0,
      failed_count: 0,
      cancelled_count: 2,
      processing_count: 0,
      pending_count: 0,
      progress: 0,
    });
    const listed = (
      await api(system.baseUrl, 'GET', '/api/v1/jimeng/batch/list?work_id=work-arith', { token })
    ).body.data.list.find((batch: any) => batch.batch_id === batchId);
    expect(listed).toMatchObject({ failed_count: 0, cancelled_count: 2, progress: 0 });
  }

  /** The second batch of work-arith (2 completed, 1 failed) and every account's credits before it. */
  let final: any;
  let creditsBefore: Map<string, number | null>;

  it('adds up batch counts and record statistics the contract’s way (§7.2, §10.1)', async () => {
    // Every account's credits read now, so a read after the batch is a refresh.
    await system.core.jimeng.maintenance.refreshStaleCredits(200);
    creditsBefore = new Map((await accountsList()).map((account) => [account.id, account.credits]));

    system.sandbox.state.injectFault({ provider: 'jimeng', kind: 'content-blocked', count: 1 });
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-arith', batch_data: storyboards(3, 'arith-run') },
    });
    final = await waitForBatch(system, token, submitted.body.data.batch_id, 30_000);
    expect(final).toMatchObject({
      status: 'partial_failed',
      total_count: 3,
      completed_count: 2,
      failed_count: 1,
      cancelled_count: 0,
      progress: 0.667, // 2 of 3: the failure is not progress
    });
    const parts = (s: any) =>
      s.completed_count +
      s.failed_count +
      s.cancelled_count +
      s.processing_count +
      s.pending_count +
      s.skip_count +
      s.removed_count;
    expect(parts(final)).toBe(final.total_count);

    // §7.2 over both batches of the work: 2 completed, 1 failed, 2 cancelled.
    const stats = (
      await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/statistics?work_id=work-arith&date_range=today',
        { token },
      )
    ).body.data;
    expect(stats).toMatchObject({
      total_tasks: 5,
      completed_tasks: 2,
      failed_tasks: 1,
      pending_tasks: 0,
      cancelled_tasks: 2,
      success_rate: 0.4,
    });
    expect(stats.total_tasks).toBe(
      stats.completed_tasks + stats.failed_tasks + stats.pending_tasks + stats.cancelled_tasks,
    );
    expect(stats.daily_stats[0]).toMatchObject({ image_count: 5, success_rate: 0.4 });
  });

  it('reports generation times in seconds with decimals: sandbox runs take milliseconds, not 0 s', async () => {
    const stats = (
      await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/statistics?work_id=work-arith&date_range=today',
        { token },
      )
    ).body.data;
    expect(stats.avg_generation_time).toBeGreaterThan(0);
    expect(stats.avg_generation_time).toBeLessThan(10);
    const completed = final.details.find((detail: any) => detail.status === 'completed');
    expect(completed.generation_time).toBeGreaterThan(0);
    const row = await system.core.jimeng.models.JimengRecord.findByPk(completed.record_id);
    expect(completed.generation_time).toBe((row as any).generation_time_ms / 1000);
  });

  it('returns image_local_paths and the masked original_session_id in records/detail (§6.4)', async () => {
    const completed = final.details.find((detail: any) => detail.status === 'completed');
    const detail = (
      await api(system.baseUrl, 'GET', `/api/v1/jimeng/records/detail?type=image&id=${completed.record_id}`, {
        token,
      })
    ).body.data;
    expect(detail.image_local_paths).toHaveLength(detail.image_urls.length);
    detail.image_local_paths.forEach((localPath: string, index: number) => {
      expect(localPath).toMatch(/^\/media\//);
      expect(detail.image_urls[index].endsWith(localPath)).toBe(true);
      expect(existsSync(path.join(system.config.DATA_DIR, localPath))).toBe(true);
    });
    const producer = (await accountsList()).find((account) => account.id === detail.account_id);
    expect(detail.original_session_id).toBe(producer.session_id);
    expect(detail.original_session_id).toMatch(/^.{4}….{4}$/);
  });

  it('re-reads the credits of accounts used since their last read on the scheduled run', async () => {
    // Not only every CREDITS_REFRESH_INTERVAL_MS (30 min): busy accounts' credits follow their use.
    await system.core.jimeng.maintenance.refreshStaleCredits(200);
    const after = await accountsList();
    const used = after.filter((account) => account.image_count > 0);
    expect(used.length).toBeGreaterThan(0);
    for (const account of used) {
      const points = system.sandbox.state.jimengToken(await sessionOf(account.id));
      expect(account.credits).toBe(points.giftCredit + points.purchaseCredit + points.vipCredit);
      expect(account.credits).toBeLessThan(creditsBefore.get(account.id)!);
    }
  });

  it.each(
    JIMENG_ERROR_WORDINGS.filter((row) => row.kind === 'rate_limited').map((row) => [row.name] as const),
  )('cools an account down on the gateway’s %s answer and counts it in every statistic', async (wording) => {
    const [limited, other] = await onlyAccounts(2, `limit-${wording}`);
    system.sandbox.state.injectFault({ provider: 'jimeng', credential: limited, kind: wording });
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: `work-${wording}`, batch_data: storyboards(6, wording) },
    });
    const final = await waitForBatch(system, token, submitted.body.data.batch_id, 30_000);
    expect(final).toMatchObject({ status: 'completed', completed_count: 6 });

    const cooled = await accountBySession(limited);
    expect(cooled).toMatchObject({ account_status: 2, status_reason: expect.stringMatching(/Rate limited/) });
    expect(cooled.cooldown_until).not.toBeNull();
    let stats = await accountStats();
    expect(stats).toMatchObject({
      total_accounts: 2,
      active_accounts: 2, // as in §7.1's example, rate-limited accounts are within active
      inactive_accounts: 0,
      banned_accounts: 0,
      rate_limited_accounts: 1,
      cooling_down_accounts: 1,
      image_available_accounts: 1,
    });

    // Every state in exactly one of the three buckets.
    const second = await accountBySession(other);
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token,
      body: { accounts: [{ id: second.id, account_status: 3 }] },
    });
    stats = await accountStats();
    expect(stats).toMatchObject({ total_accounts: 2, active_accounts: 1, banned_accounts: 1 });
    expect(stats.active_accounts + stats.inactive_accounts + stats.banned_accounts).toBe(
      stats.total_accounts,
    );
  });

  it('reads an account’s credits as soon as a generation type runs out of points', async () => {
    const [session] = await onlyAccounts(1, 'broke');
    system.sandbox.state.setJimengToken(session, { points: 2 });
    await system.core.jimeng.maintenance.refreshStaleCredits(200);
    const account = await accountBySession(session);
    expect(account.credits).toBe(2);

    await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: { work_id: 'work-broke', batch_data: storyboards(3, 'broke') },
    });
    const row = () => system.core.models.ProviderAccount.findByPk(account.id);
    await until(async () => (await row())!.image_generation_status === 0, 20_000);
    await until(async () => (await row())!.credits === 0, 5_000);
    expect((await accountBySession(session)).credits).toBe(0);
  });

  it('refuses a session id another live account already has: per item in bulk, 400 alone', async () => {
    const [taken] = await addAccounts(system, token, 1, 'dup-taken');
    const create = (accounts: Array<Record<string, unknown>>) =>
      api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', { token, body: { accounts } });

    const single = await create([{ jimeng_account: 'again@studio.test', session_id: taken }]);
    expect(single.status).toBe(400);
    expect(single.body).toMatchObject({ code: 400, message: expect.stringMatching(/already used/) });

    const bulk = await create([
      { jimeng_account: 'fresh-1@studio.test', session_id: 'hk-dup-fresh-session-0001' },
      { jimeng_account: 'copy@studio.test', session_id: `  ${taken}  ` },
      { jimeng_account: 'fresh-2@studio.test', session_id: 'dup-fresh-session-0002-xx' },
      // The same Dreamina session: gateways read the region prefix case-insensitively.
      { jimeng_account: 'fresh-1-again@studio.test', session_id: 'HK-dup-fresh-session-0001' },
    ]);
    expect(bulk.body.code).toBe(200);
    expect(bulk.body.data).toMatchObject({ success_count: 2, failed_count: 2 });
    expect(bulk.body.data.failures.map((failure: any) => failure.index)).toEqual([1, 3]);
    expect(
      (await accountsList()).filter((account) => account.jimeng_account.startsWith('fresh-')),
    ).toHaveLength(2);

    // Another staff member's account counts too, without naming it.
    const otherStaff = await createStaff(system, `dup-staff-${Date.now()}`);
    const theirs = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', {
      token: otherStaff,
      body: { accounts: [{ jimeng_account: 'theirs@studio.test', session_id: taken }] },
    });
    expect(theirs.status).toBe(400);
    expect(theirs.body.message).toMatch(/another account/);

    // Moving an account onto a taken session is refused the same way.
    const fresh = (await accountsList()).find((account) => account.jimeng_account === 'fresh-2@studio.test');
    const moved = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token,
      body: { accounts: [{ id: fresh.id, session_id: taken }] },
    });
    expect(moved.status).toBe(400);
    expect(await sessionOf(fresh.id)).toBe('dup-fresh-session-0002-xx');

    // Once the holder is deleted, the session may be added again.
    const holder = await accountBySession(taken);
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/delete', {
      token,
      body: { ids: [holder.id] },
    });
    expect(
      (await create([{ jimeng_account: 'again@studio.test', session_id: taken }])).body.data,
    ).toMatchObject({ success_count: 1, failed_count: 0 });
  });

  it('fingerprints accounts stored before migration 0012 at start-up and reports duplicates', async () => {
    const { ProviderAccount } = system.core.models;
    const [first] = await addAccounts(system, token, 1, 'legacy');
    const legacy = await accountBySession(first);
    // As stored before the column existed: no fingerprint; plus a second live copy of the session.
    await ProviderAccount.update({ session_hash: null }, { where: { id: legacy.id } });
    const copy = await ProviderAccount.create({
      ...(await ProviderAccount.findByPk(legacy.id, { raw: true }))!,
      id: `copy-${legacy.id}`,
      session_hash: null,
      create_time: new Date(Date.now() + 1000),
    });
    const result = await system.core.jimengAccounts.backfillSessionHashes();
    expect(result.duplicates).toEqual([{ id: copy.id, sameAs: legacy.id }]);
    expect((await ProviderAccount.findByPk(legacy.id))!.session_hash).toMatch(/^[0-9a-f]{64}$/);
    const again = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', {
      token,
      body: { accounts: [{ jimeng_account: 'legacy-again@studio.test', session_id: first }] },
    });
    expect(again.status).toBe(400);
    await copy.destroy();
  });
});

describe.each(['sqlite', 'mariadb'] as const)('migration 0012 on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
  });

  it('turns whole-second generation times into milliseconds and back, keeping indexes', async () => {
    database = await createTestDatabase(kind);
    const sequelize = createSequelize(database.url);
    try {
      const migrator = createMigrator(sequelize);
      await migrator.up({ to: '0011-story-access' });
      await sequelize.query(
        `INSERT INTO jimeng_records (id, type, storyboard_id, work_id, mode, model, prompt, generation_status,
           generation_time, site_switch_count, retry_count, is_deleted, create_by, create_time, update_time)
         VALUES ('r1', 'image', 'sb', 'w', 'image_generate', 'jimeng-4.5', 'p', 2, 30, 0, 0, 0, 'u',
           '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
      );
      expect(await migrateUp(sequelize)).toContain('0012-jimeng-session-lookup-and-ms-times');
      const qi = sequelize.getQueryInterface();
      const [rows] = await sequelize.query("SELECT generation_time_ms FROM jimeng_records WHERE id = 'r1'");
      expect(Number((rows as any[])[0].generation_time_ms)).toBe(30_000);
      const indexNames = async (table: string) =>
        ((await qi.showIndex(table)) as Array<{ name: string }>).map((index) => index.name);
      expect(await indexNames('jimeng_records')).toEqual(
        expect.arrayContaining(['jimeng_records_storyboard', 'jimeng_records_batch', 'jimeng_records_task']),
      );
      expect(await indexNames('provider_accounts')).toEqual(
        expect.arrayContaining(['provider_accounts_pick', 'provider_accounts_session']),
      );

      await migrator.down({ to: '0012-jimeng-session-lookup-and-ms-times' });
      const [back] = await sequelize.query("SELECT generation_time FROM jimeng_records WHERE id = 'r1'");
      expect(Number((back as any[])[0].generation_time)).toBe(30);
      expect(Object.keys(await qi.describeTable('provider_accounts'))).not.toContain('session_hash');
      expect(await indexNames('jimeng_records')).toContain('jimeng_records_storyboard');
      expect(await indexNames('provider_accounts')).toContain('provider_accounts_pick');
    } finally {
      await sequelize.close();
    }
  });
});
