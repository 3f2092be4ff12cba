import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../ports/image-provider.port.js';
import { createIdGenerator } from '../shared/ids.js';
import { createLogger } from '../shared/logger.js';
import { SecretBox } from '../shared/secret-box.js';
import { cooldownMs } from './account-health-reports.js';
import {
  AccountPoolService,
  type AccountHealthEvent,
  type AccountLease,
  type AccountStrategy,
} from './account-pool.service.js';
import type { AccountRow } from './account.repository.js';
import { AccountStatus } from './jimeng-account.types.js';
import { InMemoryAccountRepository } from './testing/in-memory-account.repository.js';
import { InMemoryLeaseStore } from './testing/in-memory-lease-store.js';

/*
 * The pool on in-memory accounts and leases: strategies, slot limits, exhaustion, cooldowns and the
 * half-open trial, out-of-points and session failures, hand-over and the slot metrics — in
 * milliseconds, without a database or Redis (the real-process pool tests are in ../../tests).
 */

const secrets = new SecretBox('pool-unit-test-secret-key-0123456789abcdef');
const T0 = new Date('2026-03-01T08:00:00Z');

function setup(options: { strategy?: AccountStrategy; globalVideo?: number; videoPerAccount?: number } = {}) {
  let now = T0.getTime();
  const clock = { now: () => new Date(now) };
  const accounts = new InMemoryAccountRepository();
  const leases = new InMemoryLeaseStore(() => now);
  const pool = new AccountPoolService({
    accounts,
    leases,
    secrets,
    ids: createIdGenerator(),
    clock,
    logger: createLogger({ level: 'silent' }),
    leaseTtlMs: 60_000,
    defaultStrategy: options.strategy ?? 'priority',
    globalVideoConcurrency: options.globalVideo ?? 10,
    videoConcurrencyPerAccount: options.videoPerAccount ?? 2,
    pollMs: 20,
  });
  const held: AccountLease[] = [];
  const add = (id: string, row: Partial<AccountRow> = {}) =>
    accounts.put({
      id,
      name: `name-${id}`,
      secret_enc: secrets.seal(`session-${id}`),
      quota_reset_time: new Date(T0.getTime() + 3_600_000),
      ...row,
    });
  const lease = async (...args: Parameters<AccountPoolService['lease']>) => {
    const taken = await pool.lease(...args);
    if (taken) held.push(taken);
    return taken;
  };
  return {
    pool,
    accounts,
    leases,
    add,
    lease,
    held,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => new Date(now),
  };
}

let live: ReturnType<typeof setup> | null = null;
function pool(options?: Parameters<typeof setup>[0]) {
  live = setup(options);
  return live;
}
afterEach(async () => {
  // Stop heartbeats of leases a test left held.
  for (const lease of live?.held ?? []) await lease.release();
  live = null;
});

describe('AccountPoolService on in-memory accounts', () => {
  it('priority: the highest priority account first, ties to the soonest quota reset', async () => {
    const p = pool({ strategy: 'priority' });
    p.add('low', { priority: 1 });
    p.add('high-late', { priority: 5, quota_reset_time: new Date(T0.getTime() + 7_200_000) });
    p.add('high-soon', { priority: 5, quota_reset_time: new Date(T0.getTime() + 600_000) });
    const first = await p.lease('jimeng', 'image');
    expect(first?.accountId).toBe('high-soon');
    expect(first?.accountName).toBe('name-high-soon');
    expect(first?.secret).toBe('session-high-soon');
    expect(first?.halfOpen).toBe(false);
    // `first` takes the first ordered account with room: high-soon until its 3 slots are full.
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('high-soon');
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('high-soon');
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('high-late');
  });

  it('least_used: the account with fewest leases, then the lowest count of the kind', async () => {
    const p = pool({ strategy: 'least_used' });
    p.add('busy', { image_count: 50, video_count: 0 });
    p.add('fresh', { image_count: 2, video_count: 90 });
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('fresh');
    // fresh now holds one lease and busy none: least loaded wins over the lower count.
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('busy');
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('fresh');
    // For video the counts are the other way round.
    const q = pool({ strategy: 'least_used' });
    q.add('busy', { image_count: 50, video_count: 0 });
    q.add('fresh', { image_count: 2, video_count: 90 });
    expect((await q.lease('jimeng', 'video'))?.accountId).toBe('busy');
  });

  it('round_robin: the least recently used account, and the order is written for other nodes', async () => {
    const p = pool({ strategy: 'round_robin' });
    p.add('a', { last_used_at: new Date(T0.getTime() - 1000) });
    p.add('b', { last_used_at: new Date(T0.getTime() - 5000) });
    p.add('c', { last_used_at: null });
    const order: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const lease = await p.lease('jimeng', 'image');
      order.push(lease!.accountId);
      p.advance(10);
    }
    expect(order).toEqual(['c', 'b', 'a']);
    expect(p.accounts.writes.filter((write) => write.method === 'saveLastUsed').map((w) => w.ids[0])).toEqual(
      ['c', 'b', 'a'],
    );
    expect(p.accounts.get('c')!.last_used_at!.getTime()).toBe(T0.getTime());
  });

  it('other strategies do not write last_used_at on lease', async () => {
    const p = pool({ strategy: 'priority' });
    p.add('a');
    await p.lease('jimeng', 'image');
    expect(p.accounts.writes).toEqual([]);
  });

  it('exhaustion: null once every slot of every eligible account is held; a release frees one', async () => {
    const p = pool();
    p.add('a', { max_concurrent: 2 });
    p.add('b', { max_concurrent: 1 });
    const taken = [
      await p.lease('jimeng', 'image'),
      await p.lease('jimeng', 'image'),
      await p.lease('jimeng', 'image'),
    ];
    expect(taken.map((lease) => lease?.accountId).sort()).toEqual(['a', 'a', 'b']);
    expect(await p.lease('jimeng', 'image')).toBeNull();
    expect((await p.leases.inFlight(['a', 'b'])).get('a')).toBe(2);
    await taken[2]!.release();
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe(taken[2]!.accountId);
  });

  it('maxConcurrentPerAccount overrides an account’s own limit; excluded accounts are skipped', async () => {
    const p = pool();
    p.add('a', { max_concurrent: 3, priority: 9 });
    p.add('b', { max_concurrent: 3 });
    expect((await p.lease('jimeng', 'image', { maxConcurrentPerAccount: 1 }))?.accountId).toBe('a');
    expect((await p.lease('jimeng', 'image', { maxConcurrentPerAccount: 1 }))?.accountId).toBe('b');
    expect(await p.lease('jimeng', 'image', { maxConcurrentPerAccount: 1 })).toBeNull();
    expect(await p.lease('jimeng', 'image', { exclude: ['a'] })).toMatchObject({ accountId: 'b' });
    expect(await p.pool.countEligible('jimeng', 'image', { exclude: ['a'] })).toBe(1);
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(2);
  });

  it('only live accounts of the provider with the kind switched on are eligible', async () => {
    const p = pool();
    p.add('deleted', { is_deleted: true });
    p.add('other-provider', { provider: 'gemini' });
    p.add('no-video', { video_generation_status: 0 });
    p.add('disabled', { account_status: AccountStatus.disabled });
    p.add('invalid', { account_status: AccountStatus.invalid });
    p.add('ok');
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(2);
    expect(await p.pool.countEligible('jimeng', 'video')).toBe(1);
    expect((await p.lease('jimeng', 'video'))?.accountId).toBe('ok');
    expect(await p.pool.countEligible('gemini', 'image')).toBe(1);
  });

  it('video: per-account video cap and the global video limit', async () => {
    const p = pool({ globalVideo: 3, videoPerAccount: 2 });
    p.add('a', { max_concurrent: 5, priority: 2 });
    p.add('b', { max_concurrent: 5, priority: 1 });
    expect(await p.pool.capacity('jimeng', 'video')).toBe(3);
    expect(await p.pool.capacity('jimeng', 'image')).toBe(10);
    const videos = [
      await p.lease('jimeng', 'video'),
      await p.lease('jimeng', 'video'),
      await p.lease('jimeng', 'video'),
    ];
    expect(videos.map((lease) => lease?.accountId)).toEqual(['a', 'a', 'b']);
    // The global limit (3) is reached although b has a free video slot.
    expect(await p.lease('jimeng', 'video')).toBeNull();
    await videos[0]!.release();
    expect((await p.lease('jimeng', 'video'))?.accountId).toBe('a');
  });

  it('rate limit: cooldown grows 1, 2, 4 … minutes; the account returns half-open for one trial', async () => {
    const p = pool();
    p.add('a');
    const events: AccountHealthEvent[] = [];
    p.pool.onAccountHealth((event) => events.push(event));
    await p.pool.reportFailure('a', 'image', new ProviderError('rate_limited', 'slow down', 429));
    const cooled = p.accounts.get('a')!;
    expect(cooled.account_status).toBe(AccountStatus.coolingDown);
    expect(cooled.cooldown_level).toBe(1);
    expect(cooled.cooldown_until!.getTime()).toBe(T0.getTime() + 60_000);
    expect(cooled.last_error).toBe('rate_limited: slow down');
    expect(cooled.status_reason).toContain('Rate limited (slow down): cooling down until');
    expect(events).toEqual([
      { accountId: 'a', problem: 'cooling_down', cooldownLevel: 1, until: new Date(T0.getTime() + 60_000) },
    ]);
    expect(await p.lease('jimeng', 'image')).toBeNull();
    expect(await p.pool.countRecovering('jimeng', 'image', 30_000)).toBe(0);
    expect(await p.pool.countRecovering('jimeng', 'image', 60_000)).toBe(1);

    p.advance(60_000);
    p.pool.forgetEligible();
    const trial = await p.lease('jimeng', 'image');
    expect(trial).toMatchObject({ accountId: 'a', halfOpen: true });
    // One trial request only, whatever max_concurrent says.
    expect(await p.lease('jimeng', 'image')).toBeNull();
    expect(await p.pool.capacity('jimeng', 'image')).toBe(1);

    // The trial fails again: the next cooldown is twice as long.
    await p.pool.reportFailure('a', 'image', new ProviderError('rate_limited', 'again'));
    expect(p.accounts.get('a')!.cooldown_level).toBe(2);
    expect(p.accounts.get('a')!.cooldown_until!.getTime()).toBe(p.now().getTime() + cooldownMs(1));
    expect(cooldownMs(1)).toBe(120_000);
    expect(cooldownMs(2)).toBe(240_000);
    expect(cooldownMs(10)).toBe(3_600_000);
  });

  it('a successful trial closes the circuit; a success that was no trial leaves state alone', async () => {
    const p = pool();
    p.add('a', {
      account_status: AccountStatus.coolingDown,
      cooldown_level: 3,
      cooldown_until: new Date(T0.getTime() - 1),
      status_reason: 'Rate limited',
    });
    const trial = await p.lease('jimeng', 'image');
    expect(trial?.halfOpen).toBe(true);
    await p.pool.reportSuccess('a', 'image', true);
    expect(p.accounts.get('a')).toMatchObject({
      account_status: AccountStatus.normal,
      cooldown_level: 0,
      cooldown_until: null,
      status_reason: null,
      image_count: 1,
    });
    // Back in full use: its three slots (one still held by the trial).
    expect(await p.lease('jimeng', 'image')).not.toBeNull();
    expect(await p.lease('jimeng', 'image')).not.toBeNull();
    expect(await p.lease('jimeng', 'image')).toBeNull();

    p.add('b', { account_status: AccountStatus.invalid, status_reason: 'Session expired' });
    await p.pool.reportSuccess('b', 'video', false);
    expect(p.accounts.get('b')).toMatchObject({
      account_status: AccountStatus.invalid,
      status_reason: 'Session expired',
      video_count: 1,
    });
  });

  it('successes of one burst reach storage as one increment per account and kind', async () => {
    const p = pool();
    p.add('a');
    p.add('b');
    await Promise.all([
      p.pool.reportSuccess('a', 'image', false),
      p.pool.reportSuccess('a', 'image', false),
      p.pool.reportSuccess('a', 'video', false),
      p.pool.reportSuccess('b', 'image', false),
    ]);
    expect(p.accounts.get('a')).toMatchObject({ image_count: 2, video_count: 1, last_used_at: T0 });
    expect(p.accounts.get('b')).toMatchObject({ image_count: 1, video_count: 0 });
    const increments = p.accounts.writes.filter((write) => write.method === 'countUses');
    expect(increments.length).toBeLessThan(4);
  });

  it('out of points switches only that kind off, tells the listeners, and recovers at the quota reset', async () => {
    const p = pool();
    p.add('a', { credits_checked_at: T0, quota_reset_time: new Date(T0.getTime() + 120_000) });
    const outOfCredits: string[] = [];
    const events: AccountHealthEvent[] = [];
    p.pool.onOutOfCredits((id) => outOfCredits.push(id));
    p.pool.onAccountHealth((event) => events.push(event));
    await p.pool.reportFailure('a', 'video', new ProviderError('out_of_credits', 'no points'));
    expect(p.accounts.get('a')).toMatchObject({
      video_generation_status: 0,
      image_generation_status: 1,
      account_status: AccountStatus.normal,
      credits_checked_at: null,
      status_reason: 'Out of points for video generation until the quota reset',
    });
    expect(outOfCredits).toEqual(['a']);
    expect(events).toEqual([{ accountId: 'a', problem: 'out_of_credits', kind: 'video' }]);
    expect(await p.lease('jimeng', 'video')).toBeNull();
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('a');
    expect(await p.pool.countRecovering('jimeng', 'video', 60_000)).toBe(0);
    expect(await p.pool.countRecovering('jimeng', 'video', 120_000)).toBe(1);
    expect(await p.pool.countRecovering('jimeng', 'image', 120_000)).toBe(0);
  });

  it('an expired session takes the account out; caller mistakes never blame it', async () => {
    const p = pool();
    p.add('a');
    p.add('b');
    const events: AccountHealthEvent[] = [];
    p.pool.onAccountHealth((event) => events.push(event));
    for (const kind of ['invalid_request', 'content_blocked', 'bad_input_file'] as const)
      await p.pool.reportFailure('b', 'image', new ProviderError(kind, 'your fault'));
    expect(p.accounts.get('b')).toMatchObject({ account_status: AccountStatus.normal, last_error: null });
    await p.pool.reportFailure('b', 'image', new ProviderError('upstream_error', 'gateway 502'));
    expect(p.accounts.get('b')).toMatchObject({
      account_status: AccountStatus.normal,
      last_error: 'upstream_error: gateway 502',
      last_error_at: T0,
    });
    await p.pool.reportFailure('a', 'image', new ProviderError('session_expired', 'login again'));
    expect(p.accounts.get('a')).toMatchObject({
      account_status: AccountStatus.invalid,
      status_reason: 'Session expired: update the session id',
    });
    expect(events).toEqual([{ accountId: 'a', problem: 'session_expired' }]);
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(1);
  });

  it('hand-over: a released lease goes straight to a waiting task of this process', async () => {
    const p = pool({ strategy: 'priority' });
    p.add('a', { max_concurrent: 1 });
    const first = await p.lease('jimeng', 'image');
    expect(await p.lease('jimeng', 'image')).toBeNull();
    expect(p.pool.hasWaiters('jimeng', 'image')).toBe(false);
    const waiting = p.pool.waitForSlot('jimeng', 'image', {}, 5_000);
    expect(p.pool.hasWaiters('jimeng', 'image')).toBe(true);
    await first!.release({ handOver: true });
    const handed = await waiting;
    expect(handed).toMatchObject({ accountId: 'a', secret: 'session-a', halfOpen: false });
    p.held.push(handed!);
    // The slot changed hands without being freed.
    expect((await p.leases.inFlight(['a'])).get('a')).toBe(1);
    expect(p.pool.hasWaiters('jimeng', 'image')).toBe(false);
  });

  it('a plain release wakes one waiter with null (lease again); a wait times out or aborts with null', async () => {
    const p = pool();
    p.add('a', { max_concurrent: 1 });
    const first = await p.lease('jimeng', 'image');
    const woken = p.pool.waitForSlot('jimeng', 'image', {}, 5_000);
    await first!.release();
    expect(await woken).toBeNull();
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('a');

    const started = Date.now();
    expect(await p.pool.waitForSlot('jimeng', 'image', {}, 50)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    const controller = new AbortController();
    const aborted = p.pool.waitForSlot('jimeng', 'image', {}, 5_000, controller.signal);
    controller.abort();
    expect(await aborted).toBeNull();
    expect(p.pool.hasWaiters('jimeng', 'image')).toBe(false);
  });

  it('the watcher wakes waiters when leases lapse (another node’s crashed worker)', async () => {
    const p = pool();
    p.add('a', { max_concurrent: 1 });
    // Taken straight from the store, as another node would: this pool never sees its release.
    await p.leases.acquire('a', 'other-node-lease', 1, 60_000);
    expect(await p.lease('jimeng', 'image')).toBeNull();
    const waiting = p.pool.waitForSlot('jimeng', 'image', {}, 5_000);
    p.advance(60_001);
    expect(await waiting).toBeNull();
    expect((await p.lease('jimeng', 'image'))?.accountId).toBe('a');
  });

  it('slotUsage: in use and free slots per provider and state', async () => {
    const p = pool();
    p.add('n1', { max_concurrent: 3 });
    p.add('n2', { max_concurrent: 2 });
    p.add('cooled-done', {
      account_status: AccountStatus.coolingDown,
      cooldown_until: new Date(T0.getTime() - 1),
    });
    p.add('cooled-wait', {
      account_status: AccountStatus.coolingDown,
      cooldown_until: new Date(T0.getTime() + 1),
    });
    p.add('bad', { account_status: AccountStatus.invalid });
    p.add('gone', { is_deleted: true });
    p.add('g', { provider: 'gemini', max_concurrent: 4 });
    await p.lease('jimeng', 'image', { exclude: ['cooled-done'] });
    const usage = await p.pool.slotUsage();
    const byKey = Object.fromEntries(usage.map((group) => [`${group.provider}:${group.state}`, group]));
    expect(byKey).toEqual({
      'jimeng:normal': { provider: 'jimeng', state: 'normal', inUse: 1, free: 4 },
      'jimeng:cooling_down': { provider: 'jimeng', state: 'cooling_down', inUse: 0, free: 1 },
      'jimeng:invalid': { provider: 'jimeng', state: 'invalid', inUse: 0, free: 0 },
      'gemini:normal': { provider: 'gemini', state: 'normal', inUse: 0, free: 4 },
    });
  });

  it('caches eligible accounts until a state change or forgetEligible', async () => {
    const p = pool();
    p.add('a');
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(1);
    // A write behind the pool's back (another node) is not seen until the cache is dropped.
    p.accounts.put({ ...p.accounts.get('a')!, account_status: AccountStatus.disabled });
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(1);
    p.pool.forgetEligible();
    expect(await p.pool.countEligible('jimeng', 'image')).toBe(0);
  });
});
