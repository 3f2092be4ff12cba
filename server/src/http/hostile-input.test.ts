import { describe, expect, it } from 'vitest';
import { ValidationError } from '@dreamloom/core';
import { MAX_JSON_DEPTH, assertCleanBody, findHostilePath, findHostileValue } from './hostile-input.js';

describe('hostile input checks', () => {
  it('finds NUL and unpaired surrogates in strings and keys, at any depth, and names where', () => {
    expect(findHostileValue({ a: ['ok', { b: 'x\u0000' }] }, 'body')).toBe(
      'body.a.1.b contains a NUL character',
    );
    expect(findHostileValue({ ['k\u0000']: 1 }, 'body')).toBe('body has a key containing a NUL character');
    expect(findHostileValue('\uD800', 'body')).toBe('body contains an unpaired UTF-16 surrogate');
    expect(findHostileValue('a\uDC00', 'body')).toBe('body contains an unpaired UTF-16 surrogate');
    expect(findHostileValue('\uDBFF', 'q')).toBe('q contains an unpaired UTF-16 surrogate');
  });

  it('accepts every valid code point: emoji (paired surrogates), RTL overrides, noncharacters, CJK', () => {
    expect(findHostileValue({ t: '🦊 \u202Eevil\u202C 狐 \uFFFF \uFDD0 \u0001 \u007F' }, 'body')).toBeNull();
    expect(findHostileValue([1, null, true, 1e308, -0], 'body')).toBeNull();
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    let nested: unknown = 'bottom';
    for (let level = 0; level < MAX_JSON_DEPTH; level += 1) nested = [nested];
    expect(findHostileValue(nested, 'body')).toBeNull();
    expect(findHostileValue([nested], 'body')).toMatch(/nested deeper than 32 levels/);
    let deep: unknown = 0;
    for (let level = 0; level < 200_000; level += 1) deep = { n: deep };
    expect(findHostileValue(deep, 'body')).toMatch(/nested deeper/);
  });

  it('decodes the path: NUL, encoded surrogates and malformed escapes are problems, the rest is not', () => {
    expect(findHostilePath('/api/v1/characters/%00')).toBe('path contains a NUL character');
    expect(findHostilePath('/api/v1/characters/%E0%A4%A')).toBe('path has malformed percent-encoding');
    expect(findHostilePath('/api/v1/characters/%ED%A0%80')).toBe('path has malformed percent-encoding');
    expect(findHostilePath('/api/v1/characters/%')).toBe('path has malformed percent-encoding');
    expect(findHostilePath('/api/v1/characters/%F0%9F%A6%8A')).toBeNull();
    expect(findHostilePath('/api/v1/history/..%2F..%2Fetc')).toBeNull();
  });

  it('assertCleanBody throws a ValidationError (400)', () => {
    expect(() => assertCleanBody({ a: '\u0000' })).toThrow(ValidationError);
    expect(() => assertCleanBody({ a: 'fine' })).not.toThrow();
  });
});
