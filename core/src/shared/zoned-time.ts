// Building an Intl.DateTimeFormat costs far more than formatting with one (it loads ICU zone
// data); record and batch views format several times per item, so keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock parts of an instant in an IANA time zone. */
function zonedParts(instant: Date, timeZone: string) {
  const formatter = formatterFor(timeZone);
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows the given local date and time. */
export function zonedTimeToInstant(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // Two passes settle DST transitions: the offset at the guess may differ from the offset at the answer.
  let instant = guess - zoneOffsetMs(new Date(guess), timeZone);
  instant = guess - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/**
 * Contract 003: an account's quota resets at 00:30 (configurable) on the day after `from`,
 * in the configured zone (default Asia/Shanghai).
 */
export function nextQuotaReset(from: Date, resetTime: string, timeZone: string): Date {
  const [hour, minute] = resetTime.split(':').map(Number);
  const today = zonedParts(from, timeZone);
  const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
  return zonedTimeToInstant(
    {
      year: tomorrow.getUTCFullYear(),
      month: tomorrow.getUTCMonth() + 1,
      day: tomorrow.getUTCDate(),
      hour,
      minute,
    },
    timeZone,
  );
}

/**
 * The same instant as ISO 8601 in UTC. Contract 003 keeps its zoned `YYYY-MM-DD HH:mm:ss` fields;
 * next to them `<field>_iso` carries the instant itself, so the admin can show every time in the
 * staff member's own zone without knowing the server's.
 */
export function isoInstant(instant: Date | string | null | undefined): string | null {
  return instant ? new Date(instant).toISOString() : null;
}

/** `YYYY-MM-DD HH:mm:ss` in the given zone: the contracts' time format. */
export function formatZoned(instant: Date | null | undefined, timeZone: string): string | null {
  if (!instant) return null;
  const p = zonedParts(instant, timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}
