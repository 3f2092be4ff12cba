import { describe, expect, it } from 'vitest';
import { formatPercent, formatSeconds } from './format-seconds';

describe('formatSeconds', () => {
  it('keeps the milliseconds the server measured, never rounding a sub-second time to 0', () => {
    expect(formatSeconds(0.8)).toBe('0.8');
    expect(formatSeconds(1.95)).toBe('1.95');
    expect(formatSeconds(2.345)).toBe('2.345');
    expect(formatSeconds(0.001)).toBe('0.001');
  });

  it('shows whole seconds with one decimal and no data as null', () => {
    expect(formatSeconds(2)).toBe('2.0');
    expect(formatSeconds(61)).toBe('61.0');
    expect(formatSeconds(null)).toBeNull();
    expect(formatSeconds(Number.NaN)).toBeNull();
  });
});

describe('formatPercent', () => {
  it('shows a rate with one decimal', () => {
    expect(formatPercent(0.87)).toBe('87.0');
    expect(formatPercent(1)).toBe('100.0');
    expect(formatPercent(0.8696)).toBe('87.0');
    expect(formatPercent(null)).toBeNull();
  });
});
