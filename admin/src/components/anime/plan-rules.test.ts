import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnimeDataProvider, userPlanPath } from '../../providers/anime-data-provider';
import { isMemberPlan, otherPlan, planOfRole } from './plan-rules';

describe('member plans in the admin', () => {
  it('reads a member’s plan from their role; staff and admin accounts have none', () => {
    expect(planOfRole('user')).toBe('free');
    expect(planOfRole('pro')).toBe('pro');
    expect(planOfRole('staff')).toBeNull();
    expect(planOfRole('admin')).toBeNull();
    expect(planOfRole('')).toBeNull();
    expect(otherPlan('free')).toBe('pro');
    expect(otherPlan('pro')).toBe('free');
    expect(isMemberPlan('pro')).toBe(true);
    expect(isMemberPlan('gold')).toBe(false);
  });

  describe('the switch’s request', () => {
    let calls: Array<{ url: string; method: string; body: unknown }>;
    let reply: { status: number; body: unknown };
    beforeEach(() => {
      calls = [];
      vi.stubGlobal('localStorage', { getItem: () => 'tok-1', setItem: () => {}, removeItem: () => {} });
      vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
        calls.push({ url, method: init.method ?? 'GET', body: JSON.parse(String(init.body)) });
        return new Response(JSON.stringify(reply.body), { status: reply.status });
      });
    });
    afterEach(() => vi.unstubAllGlobals());

    it('PUTs {plan} to the user’s plan path and surfaces the server’s refusal message', async () => {
      const provider = createAnimeDataProvider();
      reply = { status: 200, body: { success: true, data: { user_id: 'u/1', plan: 'pro' } } };
      await expect(
        provider.custom!({ url: userPlanPath('u/1'), method: 'put', payload: { plan: 'pro' } }),
      ).resolves.toEqual({ data: { user_id: 'u/1', plan: 'pro' } });
      expect(calls[0]).toEqual({
        url: '/api/anime-generation/admin/users/u%2F1/plan',
        method: 'PUT',
        body: { plan: 'pro' },
      });

      reply = {
        status: 409,
        body: {
          success: false,
          error: { code: 'PLAN_NOT_APPLICABLE', message: 'A staff account has no member plan' },
        },
      };
      await expect(
        provider.custom!({ url: userPlanPath('s1'), method: 'put', payload: { plan: 'free' } }),
      ).rejects.toMatchObject({
        statusCode: 409,
        message: 'A staff account has no member plan',
        errors: { code: 'PLAN_NOT_APPLICABLE' },
      });
    });
  });
});
