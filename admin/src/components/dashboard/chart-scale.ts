const STEPS = [1, 2, 3, 4, 5, 6, 8, 10];

/**
 * The top of a count axis with four gridlines: the smallest max = 4 × step, step a whole "nice"
 * number (1, 2, 3, 4, 5, 6, 8 × 10^n), at or above the largest value, so every gridline is an integer.
 */
export function niceMax(value: number): number {
  if (!(value > 0)) return 4;
  const quarter = value / 4;
  const power = 10 ** Math.max(0, Math.floor(Math.log10(quarter)));
  const step = (STEPS.find((m) => m * power >= quarter) ?? 10) * power;
  return 4 * step;
}
