import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { resolveOverviewWindow } from './overview-window.js';

describe('resolveOverviewWindow', () => {
  const now = new Date('2026-03-30T10:00:00.000Z');

  it('starts today at midnight in the staff zone and charts it by the hour', () => {
    const window = resolveOverviewWindow({ range: 'today', tz: 'Asia/Shanghai' }, now, 'UTC');
    expect(window.from.toISOString()).toBe('2026-03-29T16:00:00.000Z');
    expect(window.to).toEqual(now);
    expect(window.bucket).toBe('hour');
    expect(window.bucketStarts).toHaveLength(18);
  });

  it('cuts days at local midnights across a DST change (a 23-hour day)', () => {
    const window = resolveOverviewWindow({ range: '7d', tz: 'Europe/Berlin' }, now, 'UTC');
    expect(window.bucket).toBe('day');
    expect(window.bucketStarts.map((start) => start.toISOString())).toEqual([
      '2026-03-23T23:00:00.000Z',
      '2026-03-24T23:00:00.000Z',
      '2026-03-25T23:00:00.000Z',
      '2026-03-26T23:00:00.000Z',
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      // Summer time began on the 29th: that day had 23 hours.
      '2026-03-29T22:00:00.000Z',
    ]);
  });

  it('takes explicit bounds, the first bucket at from even mid-day', () => {
    const window = resolveOverviewWindow(
      { from: '2026-03-01T12:00:00Z', to: '2026-03-04T00:00:00+08:00', tz: 'Asia/Shanghai' },
      now,
      'UTC',
    );
    expect(window.bucketStarts.map((start) => start.toISOString())).toEqual([
      '2026-03-01T12:00:00.000Z',
      '2026-03-01T16:00:00.000Z',
      '2026-03-02T16:00:00.000Z',
    ]);
  });

  it.each([
    [{ range: '7d' as const, from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }, /not both/],
    [{ from: '2026-03-01T00:00:00Z' }, /go together/],
    [{ from: '2026-03-01', to: '2026-03-02' }, /ISO 8601/],
    [{ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, /before/],
    [{ from: '2025-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' }, /at most 92 days/],
    [{ tz: 'Nowhere/City' }, /IANA/],
  ])('refuses %o', (query, message) => {
    expect(() => resolveOverviewWindow(query, now, 'UTC')).toThrow(ValidationError);
    expect(() => resolveOverviewWindow(query, now, 'UTC')).toThrow(message);
  });
});
