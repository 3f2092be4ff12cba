import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The one way the admin writes a date and time, on every page. */
export const DATE_TIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

/** The zone this browser runs in (the default when the staff member has not chosen one). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every IANA zone the browser knows, for the time-zone picker. */
export function knownTimeZones(): string[] {
  return Intl.supportedValuesOf('timeZone');
}

export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant (ISO 8601 with an offset or Z, a Date, or epoch ms) as `YYYY-MM-DD HH:mm:ss` in `zone`;
 * null when there is no instant. Never pass the contract-003 zoned strings (`…_time` without `_iso`):
 * they carry no offset and would be read in the browser's zone.
 */
export function formatInstant(value: unknown, zone: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) return null;
  const instant = dayjs(value);
  return instant.isValid() ? instant.tz(zone).format(DATE_TIME_FORMAT) : null;
}

/** Wall-clock text with no zone, as date pickers hold it. */
const WALL_CLOCK = 'YYYY-MM-DDTHH:mm:ss';

/**
 * The instant a picked date and time names in `zone`, as ISO 8601 (UTC). antd's pickers hold a
 * wall-clock time in the browser's zone; staff pick it as a time in their chosen zone, so only
 * its wall clock is kept and read again in `zone`.
 */
export function wallClockToInstant(picked: Dayjs, zone: string): string {
  return dayjs.tz(picked.format(WALL_CLOCK), zone).toISOString();
}

/** What a picker shows for an instant in `zone` (the inverse of wallClockToInstant); null if none. */
export function instantToWallClock(value: unknown, zone: string): Dayjs | null {
  const text = formatInstant(value, zone);
  return text ? dayjs(text) : null;
}
