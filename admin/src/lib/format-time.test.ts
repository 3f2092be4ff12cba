import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import { formatInstant, instantToWallClock, isKnownTimeZone, wallClockToInstant } from './format-time';

describe('formatInstant', () => {
  const instant = '2024-12-18T02:00:00.000Z';

  it('writes one instant in the chosen zone, one format', () => {
    expect(formatInstant(instant, 'Asia/Shanghai')).toBe('2024-12-18 10:00:00');
    expect(formatInstant(instant, 'America/New_York')).toBe('2024-12-17 21:00:00');
    expect(formatInstant(new Date(instant), 'UTC')).toBe('2024-12-18 02:00:00');
    expect(formatInstant(Date.parse(instant), 'Asia/Tokyo')).toBe('2024-12-18 11:00:00');
  });

  it('keeps daylight saving time apart', () => {
    expect(formatInstant('2024-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2024-07-01 14:00:00');
    expect(formatInstant('2024-12-01T12:00:00Z', 'Europe/Berlin')).toBe('2024-12-01 13:00:00');
  });

  it('has nothing to show without an instant', () => {
    for (const value of [null, undefined, '', 'not a date', {}])
      expect(formatInstant(value, 'UTC')).toBeNull();
  });

  it('knows real zones only', () => {
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('picked times in the chosen zone', () => {
  it('reads a picked wall clock in the chosen zone, whatever the browser runs in', () => {
    const picked = dayjs('2024-12-18 10:00:00');
    expect(wallClockToInstant(picked, 'Asia/Shanghai')).toBe('2024-12-18T02:00:00.000Z');
    expect(wallClockToInstant(picked, 'America/New_York')).toBe('2024-12-18T15:00:00.000Z');
    expect(wallClockToInstant(dayjs('2024-07-01 14:00:00'), 'Europe/Berlin')).toBe(
      '2024-07-01T12:00:00.000Z',
    );
  });

  it('shows an instant back as the same wall clock', () => {
    const shown = instantToWallClock('2024-12-18T15:00:00.000Z', 'America/New_York');
    expect(shown?.format('YYYY-MM-DD HH:mm:ss')).toBe('2024-12-18 10:00:00');
    expect(wallClockToInstant(shown!, 'America/New_York')).toBe('2024-12-18T15:00:00.000Z');
    expect(instantToWallClock(undefined, 'UTC')).toBeNull();
  });
});
