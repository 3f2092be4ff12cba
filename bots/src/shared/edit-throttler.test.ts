import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EditThrottler } from './edit-throttler.js';

describe('EditThrottler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function recorder(deliveryMs = 0) {
    const delivered: Array<{ value: number; at: number }> = [];
    let active = 0;
    let maxActive = 0;
    const deliver = async (value: number) => {
      active++;
      maxActive = Math.max(maxActive, active);
      delivered.push({ value, at: Date.now() });
      if (deliveryMs > 0) await new Promise((r) => setTimeout(r, deliveryMs));
      active--;
    };
    return { delivered, deliver, maxActive: () => maxActive };
  }

  it('delivers the first state at once and coalesces a burst to its latest state', async () => {
    const r = recorder();
    const t = new EditThrottler(r.deliver, { intervalMs: 1000 });
    const start = Date.now();
    for (let i = 1; i <= 20; i++) t.push(i);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.delivered.map((d) => d.value)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(r.delivered).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.delivered.map((d) => d.value)).toEqual([1, 20]);
    expect(r.delivered[1].at - start).toBe(1000);
  });

  it('never delivers more than one state per interval', async () => {
    const r = recorder();
    const t = new EditThrottler(r.deliver, { intervalMs: 3000 });
    // A push every 100 ms for 10 s.
    for (let i = 0; i < 100; i++) {
      t.push(i);
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(3000);
    const gaps = r.delivered.slice(1).map((d, i) => d.at - r.delivered[i].at);
    expect(gaps.every((g) => g >= 3000)).toBe(true);
    expect(r.delivered.length).toBeLessThanOrEqual(5);
    expect(r.delivered.at(-1)?.value).toBe(99);
  });

  it('does not overlap deliveries when one takes longer than the interval', async () => {
    const r = recorder(2500);
    const t = new EditThrottler(r.deliver, { intervalMs: 1000 });
    t.push(1);
    await vi.advanceTimersByTimeAsync(10);
    t.push(2);
    t.push(3);
    await vi.advanceTimersByTimeAsync(6000);
    expect(r.delivered.map((d) => d.value)).toEqual([1, 3]);
    expect(r.maxActive()).toBe(1);
    expect(r.delivered[1].at).toBeGreaterThanOrEqual(r.delivered[0].at + 2500);
  });

  it('always delivers the final state, after the one in flight and the interval, dropping what was pending', async () => {
    const r = recorder(200);
    const t = new EditThrottler(r.deliver, { intervalMs: 1000 });
    const start = Date.now();
    t.push(1);
    await vi.advanceTimersByTimeAsync(50);
    t.push(2);
    const finished = t.finish(99);
    t.push(3); // ignored: the job is over
    await vi.advanceTimersByTimeAsync(5000);
    await finished;
    expect(r.delivered.map((d) => d.value)).toEqual([1, 99]);
    expect(r.delivered[1].at - start).toBe(1000);
    expect(r.maxActive()).toBe(1);
  });

  it('delivers the final state immediately when the interval has already passed', async () => {
    const r = recorder();
    const t = new EditThrottler(r.deliver, { intervalMs: 1000 });
    t.push(1);
    await vi.advanceTimersByTimeAsync(5000);
    const at = Date.now();
    await t.finish(2);
    expect(r.delivered.map((d) => d.value)).toEqual([1, 2]);
    expect(r.delivered[1].at).toBe(at);
  });

  it('keeps going after a failed intermediate delivery, but lets a failed final delivery reject', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const t = new EditThrottler(
      async (v: number) => {
        seen.push(v);
        if (v === 1 || v === 9) throw new Error(`boom ${v}`);
      },
      { intervalMs: 100, onError: (e) => errors.push(e) },
    );
    t.push(1);
    await vi.advanceTimersByTimeAsync(0);
    t.push(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
    const final = t.finish(9);
    const assertion = expect(final).rejects.toThrow('boom 9');
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
  });
});
