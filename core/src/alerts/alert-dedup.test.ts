import { describe, expect, it } from 'vitest';
import { AlertDedup, type AlertDedupStore } from './alert-dedup.js';

/** SET NX PX as Redis answers it, on a map with expiry times. */
function fakeRedis(now: () => number) {
  const keys = new Map<string, number>();
  const calls: unknown[][] = [];
  const store: AlertDedupStore = {
    async set(key, _value, _px, ms, _nx) {
      calls.push([key, _value, _px, ms, _nx]);
      const expires = keys.get(key);
      if (expires !== undefined && expires > now()) return null;
      keys.set(key, now() + ms);
      return 'OK';
    },
  };
  return { store, calls };
}

describe('alert de-duplication', () => {
  it('claims a condition once per window, under <prefix>:alert:<condition>, with SET NX PX', async () => {
    let time = 0;
    const { store, calls } = fakeRedis(() => time);
    const dedup = new AlertDedup(store, 'dl', 1000);
    expect(await dedup.claim('pool_low:image')).toBe(true);
    expect(await dedup.claim('pool_low:image')).toBe(false);
    expect(await dedup.claim('pool_low:video')).toBe(true);
    time = 1001;
    expect(await dedup.claim('pool_low:image')).toBe(true);
    expect(calls[0]).toEqual(['dl:alert:pool_low:image', '1', 'PX', 1000, 'NX']);
  });

  it('sends anyway when Redis cannot answer (a duplicate beats a lost alert)', async () => {
    const dedup = new AlertDedup({ set: () => Promise.reject(new Error('down')) }, 'dl', 1000);
    expect(await dedup.claim('failure_rate:generation')).toBe(true);
  });
});
