import { afterEach, describe, expect, it, vi } from 'vitest';
import { SharedTick } from './shared-tick.js';

describe('SharedTick', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs everything scheduled before the tick together, each once, a period after the first', () => {
    vi.useFakeTimers();
    const tick = new SharedTick(50);
    const runs: string[] = [];
    const a = () => runs.push('a');
    const b = () => runs.push('b');
    tick.schedule(a);
    vi.advanceTimersByTime(30);
    tick.schedule(b);
    tick.schedule(a);
    vi.advanceTimersByTime(19);
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual(['a', 'b']);
    vi.advanceTimersByTime(200);
    expect(runs).toEqual(['a', 'b']);
  });

  it('skips a cancelled callback and starts a new period after firing', () => {
    vi.useFakeTimers();
    const tick = new SharedTick(50);
    const runs: string[] = [];
    const a = () => runs.push('a');
    const b = () => runs.push('b');
    tick.schedule(a);
    tick.schedule(b);
    tick.cancel(a);
    vi.advanceTimersByTime(50);
    expect(runs).toEqual(['b']);
    tick.schedule(a);
    vi.advanceTimersByTime(49);
    expect(runs).toEqual(['b']);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual(['b', 'a']);
  });
});
