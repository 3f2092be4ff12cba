import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange', () => {
  it.each([
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=500-', 1000, { start: 500, end: 999 }],
    ['bytes=-100', 1000, { start: 900, end: 999 }],
    ['bytes=-5000', 1000, { start: 0, end: 999 }],
    ['bytes=900-5000', 1000, { start: 900, end: 999 }],
  ])('%s of %d bytes is %o', (header, size, range) => {
    expect(parseByteRange(header, size)).toEqual(range);
  });

  it.each([['bytes=1000-'], ['bytes=2000-3000'], ['bytes=-0']])(
    '%s of 1000 bytes is unsatisfiable',
    (header) => {
      expect(parseByteRange(header, 1000)).toBe('unsatisfiable');
    },
  );

  it.each([[undefined], [''], ['items=0-1'], ['bytes=0-1,5-9'], ['bytes=9-1'], ['bytes=-'], ['bytes=a-b']])(
    '%s is ignored (the whole file)',
    (header) => {
      expect(parseByteRange(header, 1000)).toBeNull();
    },
  );
});
