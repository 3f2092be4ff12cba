import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '@dreamloom/core';
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * A staff member disabling an account must stop every worker from using it at once, not after
 * the workers' one-second cache of eligible accounts lapses (an account kept receiving calls for
 * about 0.6 s): the change travels over the event bus to every node's pool.
 */
describe('a staff disable reaches every node at once', () => {
  let system: RunningSystem;
  let otherNode: Core;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
    otherNode = createCore(system.config);
  });
  afterAll(async () => {
    await otherNode?.close();
    await system?.stop();
  });

  it('the other node leases none of the disabled accounts 150 ms later', async () => {
    const accounts = await system.core.models.ProviderAccount.findAll({ where: { provider: 'jimeng' } });
    expect(accounts.length).toBeGreaterThan(0);
    // The other node has just read (and cached) its eligible accounts.
    const before = await otherNode.pool.lease('jimeng', 'image');
    expect(before).not.toBeNull();
    await before!.release();

    const disabled = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token: system.admin.token,
      body: { accounts: accounts.map((account) => ({ id: account.id, account_status: 3 })) },
    });
    expect(disabled.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await otherNode.pool.lease('jimeng', 'image')).toBeNull();

    // Re-enabled the same way, they are leased again at once.
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token: system.admin.token,
      body: { accounts: accounts.map((account) => ({ id: account.id, account_status: 0 })) },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const after = await otherNode.pool.lease('jimeng', 'image');
    expect(after).not.toBeNull();
    await after!.release();
  });
});
