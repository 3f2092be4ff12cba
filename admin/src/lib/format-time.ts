import dayjs from 'dayjs';
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
