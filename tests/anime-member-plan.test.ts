import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { member, waitForEnd } from './support/anime.js';

/**
 * Contract 000: private visibility is Pro-only. Staff make a member Pro (or free again) with
 * PUT /api/anime-generation/admin/users/{id}/plan; every change is kept; members cannot do it.
 */
describe('member plans (free / pro)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const setPlan = (
    userId: string,
    plan: string,
    auth: { token?: string; headers?: Record<string, string> },
  ) =>
    api(system.baseUrl, 'PUT', `/api/anime-generation/admin/users/${userId}/plan`, {
      ...auth,
      body: { plan },
    });
  const createPrivate = (headers: Record<string, string>) =>
    api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { gen_type: 'anime', prompt: 'a private fox', visibility_level: 'private' },
    });

  it('a member made Pro by staff creates a private generation; the change is audited', async () => {
    const { headers, userId } = await member(system, 'plan-member-1');
    const refused = await createPrivate(headers);
    expect(refused.status).toBe(403);

    const set = await setPlan(userId, 'pro', { token: system.admin.token });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ success: true, data: { user_id: userId, plan: 'pro' } });
    const changes = await api(
      system.baseUrl,
      'GET',
      `/api/anime-generation/admin/plan-changes?user_id=${userId}`,
      {
        token: system.admin.token,
      },
    );
    expect(changes.body.data).toHaveLength(1);
    expect(changes.body.data[0]).toMatchObject({ user_id: userId, old_plan: 'free', new_plan: 'pro' });

    // Bots' members are remembered for a few seconds (identity's platform-user cache).
    let created: Awaited<ReturnType<typeof createPrivate>> | undefined;
    await expect
      .poll(async () => (created = await createPrivate(headers)).status, { timeout: 10_000, interval: 500 })
      .toBe(200);
    const done = await waitForEnd(system, created!.body.data.generation_uuid, headers);
    expect(done.status).toBe('completed');
    const history = await api(system.baseUrl, 'GET', '/api/anime-generation/history', { headers });
    expect(history.body.data.records[0]).toMatchObject({ visibility_level: 'private' });

    // Back to free: private is refused again, and both changes are kept.
    expect((await setPlan(userId, 'free', { token: system.admin.token })).status).toBe(200);
    await expect
      .poll(async () => (await createPrivate(headers)).status, { timeout: 10_000, interval: 500 })
      .toBe(403);
    const after = await api(
      system.baseUrl,
      'GET',
      `/api/anime-generation/admin/plan-changes?user_id=${userId}`,
      {
        token: system.admin.token,
      },
    );
    expect(after.body.data.map((change: { new_plan: string }) => change.new_plan).sort()).toEqual([
      'free',
      'pro',
    ]);
  });

  it('a member cannot set their own or anyone’s plan; bad input and staff accounts are refused', async () => {
    const { headers, userId } = await member(system, 'plan-member-2');
    const own = await setPlan(userId, 'pro', { headers });
    expect(own.status).toBe(403);
    expect(own.body.success).toBe(false);
    expect((await setPlan(userId, 'gold', { token: system.admin.token })).status).toBe(400);
    expect((await setPlan('no-such-user', 'pro', { token: system.admin.token })).body.error.code).toBe(
      'USER_NOT_FOUND',
    );
    const me = await api(system.baseUrl, 'GET', '/api/generation/credits', { token: system.admin.token });
    const staff = await setPlan(me.body.data.user_id, 'free', { token: system.admin.token });
    expect(staff.status).toBe(409);
    expect(staff.body.error.code).toBe('PLAN_NOT_APPLICABLE');
    const changes = await api(
      system.baseUrl,
      'GET',
      `/api/anime-generation/admin/plan-changes?user_id=${userId}`,
      {
        token: system.admin.token,
      },
    );
    expect(changes.body.data).toEqual([]);
    expect((await createPrivate(headers)).status).toBe(403);
  });
});
