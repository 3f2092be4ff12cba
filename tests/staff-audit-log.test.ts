import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { grant, member } from './support/anime.js';

interface AuditEntry {
  action: string;
  target_kind: string;
  target_id: string;
  actor_name: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * Staff actions land in one audit log (GET /api/v1/admin/audit): Jimeng account create, edit,
 * reset and delete, credit grants, price and plan changes, catalog deletes; sessions only masked.
 */
describe.each(['sqlite', 'mariadb'] as const)('staff audit log on %s', (db) => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const audit = async (query: string) => {
    const answer = await api(system.baseUrl, 'GET', `/api/v1/admin/audit?${query}`, {
      token: system.admin.token,
    });
    expect(answer.status).toBe(200);
    return answer.body.data as AuditEntry[];
  };

  it('keeps every staff action with before and after, secrets masked; members are refused', async () => {
    const token = system.admin.token;
    const session = 'audit-session-0001-abcdefghijkl';
    const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/create', {
      token,
      body: { accounts: [{ jimeng_account: 'audit@studio.test', session_id: session }] },
    });
    expect(created.body.data.success_count).toBe(1);
    const account = await system.core.models.ProviderAccount.findOne({
      where: { name: 'audit@studio.test' },
    });
    const accountId = account!.id;
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/update', {
      token,
      body: { accounts: [{ id: accountId, priority: 7 }] },
    });
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/reset-status', {
      token,
      body: { id: accountId },
    });
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/delete', {
      token,
      body: { ids: [accountId] },
    });

    const trail = await audit(`target_kind=jimeng_account&target_id=${accountId}`);
    expect(trail.map((entry) => entry.action).reverse()).toEqual([
      'jimeng_account.create',
      'jimeng_account.update',
      'jimeng_account.reset',
      'jimeng_account.delete',
    ]);
    const [deleted, , updated, createdEntry] = trail;
    expect(createdEntry.after).toMatchObject({ name: 'audit@studio.test', session_mask: 'audi…ijkl' });
    expect(updated.before).toMatchObject({ priority: 0 });
    expect(updated.after).toMatchObject({ priority: 7 });
    expect(deleted.before).toMatchObject({ name: 'audit@studio.test', is_deleted: false });
    expect(trail.every((entry) => entry.actor_name === 'admin')).toBe(true);
    expect(JSON.stringify(trail)).not.toContain(session);

    const { headers, userId } = await member(system, `audit-member-${db}`);
    expect((await grant(system, userId, 250)).status).toBe(200);
    await api(system.baseUrl, 'PUT', `/api/anime-generation/admin/users/${userId}/plan`, {
      token,
      body: { plan: 'pro' },
    });
    const userTrail = await audit(`target_kind=user&target_id=${userId}`);
    expect(userTrail.map((entry) => entry.action).sort()).toEqual(['credits.grant', 'member_plan.set']);
    expect(userTrail.find((entry) => entry.action === 'credits.grant')?.after).toMatchObject({
      amount: 250,
      balance: 250,
    });
    expect(userTrail.find((entry) => entry.action === 'member_plan.set')).toMatchObject({
      before: { plan: 'free' },
      after: { plan: 'pro' },
    });

    const model = 'jimeng-4.5';
    const priced = await api(
      system.baseUrl,
      'PUT',
      `/api/anime-generation/admin/models/image/${model}/price`,
      {
        token,
        body: { price: { type: 'flat', credits: 9 } },
      },
    );
    expect(priced.status).toBe(200);
    const [price] = await audit(`target_kind=model_price&target_id=${encodeURIComponent(`image:${model}`)}`);
    expect(price).toMatchObject({
      action: 'model_price.set',
      after: { price: { type: 'flat', credits: 9 } },
    });

    const language = await api(system.baseUrl, 'POST', '/api/v1/languages', {
      token,
      body: { language: `Audit-${db}` },
    });
    const languageId = (language.body.id ?? language.body.data?.id) as string;
    expect((await api(system.baseUrl, 'DELETE', `/api/v1/languages/${languageId}`, { token })).status).toBe(
      204,
    );
    const [languageDelete] = await audit(`target_kind=language&target_id=${languageId}`);
    expect(languageDelete).toMatchObject({ action: 'language.delete', before: { language: `Audit-${db}` } });

    // Members neither read the log nor write to it by acting on their own things.
    const refused = await api(system.baseUrl, 'GET', '/api/v1/admin/audit', { headers });
    expect(refused.status).toBe(403);
  });
});
