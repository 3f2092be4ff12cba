/**
 * A time in seconds as the dashboard shows it: the server's millisecond precision kept (1.95,
 * 2.345, 0.8), at least one decimal (2.0), so a sub-second time never reads "0". Null is no data.
 */
export function formatSeconds(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const fixed = seconds.toFixed(3).replace(/0+$/, '');
  return fixed.endsWith('.') ? `${fixed}0` : fixed;
}

/** A 0–1 rate as a percentage with one decimal (0.87 → "87.0"); null is no data. */
export function formatPercent(rate: number | null | undefined): string | null {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return null;
  return (Math.round(rate * 1000) / 10).toFixed(1);
}
