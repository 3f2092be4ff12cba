import { describe, expect, it } from 'vitest';
import { niceMax } from './chart-scale';

describe('niceMax', () => {
  it('covers the largest value with four integer gridlines', () => {
    expect(niceMax(0)).toBe(4);
    expect(niceMax(3)).toBe(4);
    expect(niceMax(12)).toBe(12);
    expect(niceMax(24)).toBe(24);
    expect(niceMax(25)).toBe(32);
    expect(niceMax(90)).toBe(120);
    expect(niceMax(1000)).toBe(1200);
    for (const value of [1, 7, 19, 33, 250, 999]) {
      const max = niceMax(value);
      expect(max).toBeGreaterThanOrEqual(value);
      expect(Number.isInteger(max / 4)).toBe(true);
    }
  });
});
