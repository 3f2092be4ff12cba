import { describe, expect, it } from 'vitest';
import { accountHealthAlert } from './account-health-alerts.js';
import { poolCapacityAlert } from './pool-capacity-alerts.js';
import { FailureRateWindow } from './failure-rate-window.js';

const now = new Date('2025-01-01T00:00:00Z');
const account = { name: 'a@studio.test', provider: 'jimeng' };

describe('account health conditions', () => {
  it('an expired session, and points running out per generation type, are one condition each', () => {
    const options = { cooldownLevel: 3, now };
    expect(
      accountHealthAlert({ accountId: 'a1', problem: 'session_expired' }, account, options),
    ).toMatchObject({
      type: 'account_invalid',
      condition: 'account_invalid:a1',
      severity: 'critical',
      details: { accountId: 'a1', account: 'a@studio.test' },
    });
    expect(
      accountHealthAlert({ accountId: 'a1', problem: 'out_of_credits', kind: 'video' }, account, options),
    ).toMatchObject({ type: 'account_exhausted', condition: 'account_exhausted:a1:video' });
  });

  it('a cooldown alerts only from the configured level on', () => {
    const event = (cooldownLevel: number) => ({
      accountId: 'a1',
      problem: 'cooling_down' as const,
      cooldownLevel,
      until: now,
    });
    expect(accountHealthAlert(event(2), account, { cooldownLevel: 3, now })).toBeNull();
    expect(accountHealthAlert(event(3), account, { cooldownLevel: 3, now })).toMatchObject({
      condition: 'account_cooldown:a1',
      details: { cooldownLevel: 3 },
    });
  });
});

describe('pool capacity condition', () => {
  it('alerts below the threshold, never with the threshold 0', () => {
    expect(poolCapacityAlert('image', 0, { below: 1, now })).toMatchObject({
      condition: 'pool_low:image',
      severity: 'critical',
    });
    expect(poolCapacityAlert('video', 2, { below: 3, now })).toMatchObject({ severity: 'warning' });
    expect(poolCapacityAlert('image', 1, { below: 1, now })).toBeNull();
    expect(poolCapacityAlert('image', 0, { below: 0, now })).toBeNull();
  });
});

describe('failure rate window', () => {
  it('needs the minimum number of generations and the rate within the window', () => {
    const window = new FailureRateWindow({ rate: 0.5, minJobs: 10, windowMs: 60_000 });
    const at = (ms: number) => new Date(now.getTime() + ms);
    for (let i = 0; i < 5; i += 1) expect(window.record(false, at(i))).toBeNull();
    for (let i = 0; i < 4; i += 1) expect(window.record(true, at(10 + i))).toBeNull();
    expect(window.record(true, at(20))).toMatchObject({
      condition: 'failure_rate:generation',
      details: { failed: 5, total: 10 },
    });
    // A minute later the old outcomes have left the window: one failure is no spike.
    expect(window.record(true, at(61_000))).toBeNull();
  });
});
