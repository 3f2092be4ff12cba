import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, loadConfig, startWorker, type Core } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { addAccounts, storyboards, waitForBatch } from './support/jimeng.js';

/**
 * Staff alerts end to end: a worker with ALERT_WEBHOOK_URL pointing at a receiver on loopback
 * (allow-listed with OUTBOUND_ALLOWED_HOSTS) sees the sandbox expire a session and rate-limit an
 * account that had cooled down twice before, and tells the receiver once per condition per
 * ALERT_DEDUP_MS. One server and sandbox serve every case; each case starts its own worker with
 * its own alert settings and its own accounts.
 */

interface Received {
  path: string;
  body: any;
}

/** A webhook receiver on 127.0.0.1 that records every request and answers `status`. */
async function startReceiver(status = 204) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(text) });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { received, host, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('staff alerts', () => {
  let system: RunningSystem;
  let worker: Core | null = null;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
    system.sandbox.state.updateSettings({ jimengImagesPerCall: 1 });
  });
  afterEach(async () => {
    await worker?.close();
    worker = null;
    await receiver?.close();
    receiver = null;
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function startAlertingWorker(env: Record<string, string>) {
    worker = createCore(loadConfig({ ...system.env, ...env }));
    await startWorker(worker);
  }

  /** Only these accounts in the pool, one slot each (so every one of them gets work). */
  async function onlyAccounts(prefix: string, count: number) {
    await system.core.models.ProviderAccount.update({ is_deleted: true }, { where: {} });
    const sessions = await addAccounts(system, system.admin.token, count, prefix, { max_concurrent: 1 });
    const rows = await system.core.models.ProviderAccount.findAll({ where: { is_deleted: false } });
    const bySession = new Map(rows.map((row) => [system.core.secrets.open(row.secret_enc), row]));
    return sessions.map((session) => ({ session, row: bySession.get(session)! }));
  }

  /** An account that cooled down twice in a row already: one more rate limit is the third. */
  async function cooledTwice(session: string, accountId: string) {
    await system.core.models.ProviderAccount.update(
      { account_status: 0, cooldown_level: 2, cooldown_until: null },
      { where: { id: accountId } },
    );
    system.sandbox.state.injectFault({ provider: 'jimeng', credential: session, kind: 'anti-bot', count: 1 });
  }

  async function runBatch(workId: string, count: number) {
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token: system.admin.token,
      body: {
        work_id: workId,
        batch_data: storyboards(count, workId),
        global_config: { account_strategy: { load_balance: 'least_used' } },
      },
    });
    expect(submitted.body.data.queue_count).toBe(count);
    return waitForBatch(system, system.admin.token, submitted.body.data.batch_id, 30_000);
  }

  const ofCondition = (condition: string) =>
    receiver!.received.filter((each) => each.body.details?.condition === condition);

  it('json: one alert per condition within the dedup window, an invalidation and a third cooldown', async () => {
    receiver = await startReceiver();
    await startAlertingWorker({
      ALERT_WEBHOOK_URL: `http://${receiver.host}/hooks/staff`,
      ALERT_WEBHOOK_FORMAT: 'json',
      OUTBOUND_ALLOWED_HOSTS: receiver.host,
      ALERT_POOL_FREE_BELOW: '0',
    });
    const [expired, limited] = await onlyAccounts('alert-json', 3);
    system.sandbox.state.setJimengToken(expired!.session, { live: false });
    await cooledTwice(limited!.session, limited!.row.id);

    const first = await runBatch('alerts-json-1', 4);
    expect(first.status).toBe('completed');
    const invalid = `account_invalid:${expired!.row.id}`;
    const cooldown = `account_cooldown:${limited!.row.id}`;
    await until(() => ofCondition(invalid).length === 1 && ofCondition(cooldown).length === 1, 'both alerts');
    expect(ofCondition(invalid)[0]).toMatchObject({
      path: '/hooks/staff',
      body: {
        type: 'account_invalid',
        severity: 'critical',
        message: expect.stringContaining('alert-json-1@studio.test is invalid'),
        details: { accountId: expired!.row.id, account: 'alert-json-1@studio.test', provider: 'jimeng' },
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    expect(ofCondition(cooldown)[0]!.body).toMatchObject({
      type: 'account_cooldown',
      details: { cooldownLevel: 3 },
    });

    // The same conditions again within ALERT_DEDUP_MS (30 min): the accounts break again, no news.
    await system.core.models.ProviderAccount.update(
      { account_status: 0 },
      { where: { id: expired!.row.id } },
    );
    await cooledTwice(limited!.session, limited!.row.id);
    await sleep(1100); // the worker's one-second cache of eligible accounts
    const second = await runBatch('alerts-json-2', 4);
    expect(second.status).toBe('completed');
    const after = await system.core.models.ProviderAccount.findAll({
      where: { id: [expired!.row.id, limited!.row.id] },
    });
    expect(after.find((row) => row.id === expired!.row.id)!.account_status).toBe(1);
    expect(after.find((row) => row.id === limited!.row.id)!.cooldown_level).toBe(3);
    await sleep(300);
    expect(ofCondition(invalid)).toHaveLength(1);
    expect(ofCondition(cooldown)).toHaveLength(1);
    expect(receiver.received.every((each) => each.body.details.condition.startsWith('account_'))).toBe(true);
  });

  it('discord: after a short dedup window the same condition alerts again', async () => {
    receiver = await startReceiver();
    await startAlertingWorker({
      ALERT_WEBHOOK_URL: `http://${receiver.host}/api/webhooks/1/abc`,
      ALERT_WEBHOOK_FORMAT: 'discord',
      OUTBOUND_ALLOWED_HOSTS: receiver.host,
      ALERT_DEDUP_MS: '1500',
      ALERT_POOL_FREE_BELOW: '0',
    });
    const [expired] = await onlyAccounts('alert-discord', 2);
    system.sandbox.state.setJimengToken(expired!.session, { live: false });
    const mentions = () =>
      receiver!.received.filter((each) => String(each.body.content).includes('alert-discord-1@studio.test'));

    expect((await runBatch('alerts-discord-1', 3)).status).toBe('completed');
    await until(() => mentions().length === 1, 'the first alert');
    expect(Object.keys(mentions()[0]!.body)).toEqual(['content']);
    expect(mentions()[0]!.body.content).toMatch(/\[Dreamloom critical\].*is invalid/);

    await sleep(1600); // the dedup window lapses
    await system.core.models.ProviderAccount.update(
      { account_status: 0 },
      { where: { id: expired!.row.id } },
    );
    expect((await runBatch('alerts-discord-2', 3)).status).toBe('completed');
    await until(() => mentions().length === 2, 'the second alert');
  });

  it('telegram: a receiver answering 500 gets one retry and the generations still complete; pool capacity alerts', async () => {
    receiver = await startReceiver(500);
    const secretPath = '/bot123456:SECRET-TOKEN/sendMessage';
    await startAlertingWorker({
      ALERT_WEBHOOK_URL: `http://${receiver.host}${secretPath}`,
      ALERT_WEBHOOK_FORMAT: 'telegram',
      ALERT_TELEGRAM_CHAT_ID: '-100777',
      OUTBOUND_ALLOWED_HOSTS: receiver.host,
      ALERT_RETRY_MS: '300',
      ALERT_POOL_CHECK_MS: '200',
    });
    const [expired] = await onlyAccounts('alert-telegram', 2);
    system.sandbox.state.setJimengToken(expired!.session, { live: false });
    // No account may take video work: the pool offers fewer than ALERT_POOL_FREE_BELOW (1) video slots.
    await system.core.models.ProviderAccount.update({ video_generation_status: 0 }, { where: {} });

    const batch = await runBatch('alerts-telegram', 4);
    expect(batch.status).toBe('completed');
    expect(batch.completed_count).toBe(4);
    const about = (text: string) =>
      receiver!.received.filter((each) => String(each.body.text).includes(text));
    await until(() => about('alert-telegram-1@studio.test').length === 2, 'the alert and its one retry');
    await until(() => about('No account can take video work').length === 2, 'the pool alert and its retry');
    await sleep(700); // no third try
    expect(about('alert-telegram-1@studio.test')).toHaveLength(2);
    expect(about('No account can take video work')).toHaveLength(2);
    for (const each of receiver.received) {
      expect(each.path).toBe(secretPath);
      expect(each.body).toMatchObject({ chat_id: '-100777', text: expect.any(String) });
    }
  });

  it('a failure rate spike alerts once', async () => {
    receiver = await startReceiver();
    await startAlertingWorker({
      ALERT_WEBHOOK_URL: `http://${receiver.host}/hooks/staff`,
      OUTBOUND_ALLOWED_HOSTS: receiver.host,
      ALERT_POOL_FREE_BELOW: '0',
      ALERT_FAILURE_MIN_JOBS: '4',
      ALERT_FAILURE_RATE: '0.5',
    });
    // Every account's session has expired: the generations fail.
    const accounts = await onlyAccounts('alert-failing', 2);
    for (const { session } of accounts) system.sandbox.state.setJimengToken(session, { live: false });

    const batch = await runBatch('alerts-failing', 6);
    expect(batch.status).toBe('failed');
    await until(() => ofCondition('failure_rate:generation').length === 1, 'the failure rate alert');
    await sleep(300);
    expect(ofCondition('failure_rate:generation')).toHaveLength(1);
    expect(ofCondition('failure_rate:generation')[0]!.body).toMatchObject({
      type: 'failure_rate',
      severity: 'critical',
      details: { total: expect.any(Number), failed: expect.any(Number) },
    });
  });

  it('without ALERT_WEBHOOK_URL nothing is claimed or sent', async () => {
    receiver = await startReceiver();
    await startAlertingWorker({ OUTBOUND_ALLOWED_HOSTS: receiver.host, ALERT_POOL_CHECK_MS: '100' });
    const [expired] = await onlyAccounts('alert-off', 2);
    system.sandbox.state.setJimengToken(expired!.session, { live: false });

    expect((await runBatch('alerts-off', 3)).status).toBe('completed');
    const row = await system.core.models.ProviderAccount.findByPk(expired!.row.id);
    expect(row!.account_status).toBe(1);
    await sleep(300);
    const key = `${system.config.REDIS_PREFIX}:alert:account_invalid:${expired!.row.id}`;
    expect(await system.core.redis.exists(key)).toBe(0);
    expect(receiver.received).toHaveLength(0);
  });
});
