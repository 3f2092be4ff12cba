import { ValidationError } from '../errors.js';
import { formatZoned, zonedTimeToInstant } from '../shared/zoned-time.js';

export const OVERVIEW_RANGES = ['today', '7d', '30d'] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];

/** The longest window a caller may ask for: every query scans the window's rows (see the repository). */
export const MAX_WINDOW_DAYS = 92;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Windows up to this long are charted by the hour, longer ones by the day. */
const HOURLY_UP_TO_MS = 2 * DAY_MS;

export interface OverviewWindowQuery {
  /** A named window ending now, its days cut at midnight in `tz`. */
  range?: OverviewRange;
  /** Or explicit bounds: ISO 8601 instants, `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /** IANA zone of the staff member: where `today` starts and where the chart's days are cut. */
  tz?: string;
}

export interface OverviewWindow {
  from: Date;
  to: Date;
  timeZone: string;
  bucket: 'hour' | 'day';
  /** The chart's bucket starts, ascending; the last bucket ends at `to`. */
  bucketStarts: Date[];
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Local midnight `daysBack` days before the local date of `instant` in `zone`. */
function localMidnight(instant: Date, zone: string, daysBack = 0): Date {
  const [year, month, day] = formatZoned(instant, zone)!.slice(0, 10).split('-').map(Number);
  return zonedTimeToInstant({ year, month, day: day - daysBack, hour: 0, minute: 0 }, zone);
}

/** An ISO instant must carry its zone (Z or an offset): a bare local time would be read in the server's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: string, field: string): Date {
  const instant = new Date(value);
  if (!ISO_INSTANT.test(value) || Number.isNaN(instant.getTime()))
    throw new ValidationError(`${field} must be an ISO 8601 instant with a zone, e.g. 2026-12-01T00:00:00Z`);
  return instant;
}

/**
 * The overview's time window: `range` (today, 7 or 30 days ending now, days starting at midnight
 * in `tz`) or `from`/`to` bounds, never both; at most MAX_WINDOW_DAYS long, `from` before `to`.
 * Also its chart buckets: hours for windows of two days or less, otherwise local days in `tz`.
 */
export function resolveOverviewWindow(
  query: OverviewWindowQuery,
  now: Date,
  defaultZone: string,
): OverviewWindow {
  const timeZone = query.tz ?? defaultZone;
  if (!isTimeZone(timeZone)) throw new ValidationError('tz must be an IANA time zone, e.g. Asia/Shanghai');
  const explicit = query.from !== undefined || query.to !== undefined;
  if (explicit && query.range !== undefined) throw new ValidationError('Give range or from/to, not both');
  let from: Date;
  let to: Date;
  if (explicit) {
    if (query.from === undefined || query.to === undefined)
      throw new ValidationError('from and to go together');
    from = parseInstant(query.from, 'from');
    to = parseInstant(query.to, 'to');
    if (from.getTime() >= to.getTime()) throw new ValidationError('from must be before to');
    if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS)
      throw new ValidationError(`The window may span at most ${MAX_WINDOW_DAYS} days`);
  } else {
    const range = query.range ?? 'today';
    const days = range === 'today' ? 1 : range === '7d' ? 7 : 30;
    from = localMidnight(now, timeZone, days - 1);
    to = now;
  }
  const hourly = to.getTime() - from.getTime() <= HOURLY_UP_TO_MS;
  const bucketStarts: Date[] = [];
  if (hourly) {
    for (let start = from.getTime(); start < to.getTime(); start += HOUR_MS)
      bucketStarts.push(new Date(start));
  } else {
    bucketStarts.push(from);
    // Local midnights after `from`, each found from the one before (a DST day is 23 or 25 hours
    // long, so noon of the next day is always on the next date).
    const nextMidnight = (midnight: Date) =>
      localMidnight(new Date(midnight.getTime() + 36 * HOUR_MS), timeZone);
    for (let next = nextMidnight(localMidnight(from, timeZone)); next < to; next = nextMidnight(next)) {
      if (next > from) bucketStarts.push(next);
    }
  }
  return { from, to, timeZone, bucket: hourly ? 'hour' : 'day', bucketStarts };
}
