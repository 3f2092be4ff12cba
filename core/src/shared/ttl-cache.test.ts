import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('loads once for concurrent callers, then serves the value until it expires', async () => {
    vi.useFakeTimers();
    const cache = new TtlCache<number>(1000);
    const load = vi.fn(async () => 1);
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    vi.advanceTimersByTime(999);
    expect(await cache.get('k', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves an expired value while exactly one reload runs, then the reloaded value', async () => {
    vi.useFakeTimers();
    const cache = new TtlCache<string>(1000);
    await cache.get('k', async () => 'old');
    vi.advanceTimersByTime(1001);
    let finish!: (value: string) => void;
    const reload = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const burst = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', reload)));
    expect(burst.every((value) => value === 'old')).toBe(true);
    // The reload starts within a quarter of the time to live.
    vi.advanceTimersByTime(250);
    expect(reload).toHaveBeenCalledTimes(1);
    finish('new');
    await Promise.resolve();
    await Promise.resolve();
    expect(await cache.get('k', reload)).toBe('new');
  });

  it('forgets failed loads and failed reloads, so the next caller loads in the foreground', async () => {
    vi.useFakeTimers();
    const cache = new TtlCache<number>(1000);
    await expect(cache.get('k', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('k', async () => 2)).toBe(2);
    vi.advanceTimersByTime(1001);
    expect(await cache.get('k', async () => Promise.reject(new Error('again')))).toBe(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(await cache.get('k', async () => 3)).toBe(3);
  });

  it('spreads the reloads of entries that expired together instead of running them in the burst', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockImplementation(() => 0.5);
    const cache = new TtlCache<number>(1000);
    const keys = Array.from({ length: 10 }, (_, index) => `k${index}`);
    await Promise.all(keys.map((key) => cache.get(key, async () => 1)));
    vi.advanceTimersByTime(1001);
    const reload = vi.fn(async () => 2);
    expect(await Promise.all(keys.map((key) => cache.get(key, reload)))).toEqual(keys.map(() => 1));
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(125);
    expect(reload).toHaveBeenCalledTimes(10);
    await Promise.resolve();
    await Promise.resolve();
    expect(await cache.get('k0', reload)).toBe(2);
    vi.restoreAllMocks();
  });

  it('evicts the oldest entry past its size bound', async () => {
    const cache = new TtlCache<number>(60_000, 2);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    await cache.get('c', async () => 3);
    const reloadA = vi.fn(async () => 10);
    expect(await cache.get('a', reloadA)).toBe(10);
    expect(reloadA).toHaveBeenCalledTimes(1);
  });
});
