import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '../identity/actor.js';
import { JobLimitsService, type JobLimitsOptions } from './job-limits.service.js';

const actor = (role: Role): Actor => ({ id: `u-${role}`, role, username: null, displayName: null });

/** limitFor needs no database: only the options and the actor's role. */
const limits = (options: JobLimitsOptions) =>
  new JobLimitsService({
    tasks: undefined as never,
    plans: undefined as never,
    credits: undefined as never,
    clock: { now: () => new Date() },
    options,
  });

describe('JobLimitsService.limitFor', () => {
  it('gives members and Pro members their own in-flight limit and exempts staff and admins', () => {
    const service = limits({ maxInFlight: 3, proMaxInFlight: 6, dailyQuota: 20 });
    expect(service.limitFor(actor('user'))).toEqual({ inFlight: 3, daily: 20 });
    expect(service.limitFor(actor('pro'))).toEqual({ inFlight: 6, daily: 20 });
    expect(service.limitFor(actor('staff'))).toEqual({ inFlight: null, daily: null });
    expect(service.limitFor(actor('admin'))).toEqual({ inFlight: null, daily: null });
  });

  it('reads 0 as "no limit"', () => {
    const service = limits({ maxInFlight: 0, proMaxInFlight: 4, dailyQuota: 0 });
    expect(service.limitFor(actor('user'))).toEqual({ inFlight: null, daily: null });
    expect(service.limitFor(actor('pro'))).toEqual({ inFlight: 4, daily: null });
  });
});
