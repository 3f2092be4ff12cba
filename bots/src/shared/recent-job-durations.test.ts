import { describe, expect, it } from 'vitest';
import { RecentJobDurations } from './recent-job-durations.js';

describe('RecentJobDurations', () => {
  it('knows nothing before a job of the kind finished', () => {
    const durations = new RecentJobDurations();
    durations.record('image:a', { runMs: 10_000 });
    expect(durations.expectedRunMs('image:b')).toBeUndefined();
    expect(durations.etaMs('image:b', 3)).toBeUndefined();
  });

  it('expects the median run, so one stuck job does not skew the promise', () => {
    const durations = new RecentJobDurations();
    for (const runMs of [18_000, 20_000, 600_000, 22_000]) durations.record('image:a', { runMs });
    expect(durations.expectedRunMs('image:a')).toBe(21_000);
  });

  it('adds the usual wait per place ahead for a queued job', () => {
    const durations = new RecentJobDurations();
    durations.record('video:k:5s', { runMs: 60_000, waitMs: 30_000, queuePosition: 3 });
    // 10 s per place: #4 waits 40 s, then runs 60 s.
    expect(durations.etaMs('video:k:5s', 4)).toBe(100_000);
  });

  it('forgets all but the last 20 jobs of a kind', () => {
    const durations = new RecentJobDurations();
    for (let i = 0; i < 20; i++) durations.record('image:a', { runMs: 100_000 });
    for (let i = 0; i < 20; i++) durations.record('image:a', { runMs: 5000 });
    expect(durations.expectedRunMs('image:a')).toBe(5000);
  });
});
