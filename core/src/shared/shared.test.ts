import { describe, expect, it } from 'vitest';
import { SecretBox, maskSecret } from './secret-box.js';
import { formatZoned, nextQuotaReset } from './zoned-time.js';
import { createIdGenerator } from './ids.js';

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox('k'.repeat(40));
    const sealed = box.seal('sessionid-abcdef123456');
    expect(sealed).not.toContain('sessionid');
    expect(box.open(sealed)).toBe('sessionid-abcdef123456');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses ciphertext sealed with another key', () => {
    const sealed = new SecretBox('a'.repeat(40)).seal('secret');
    expect(() => new SecretBox('b'.repeat(40)).open(sealed)).toThrow();
  });

  it('fingerprints a secret the same way every time, differently under another key', () => {
    const box = new SecretBox('k'.repeat(40));
    expect(box.lookupHash('sessionid-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(box.lookupHash('sessionid-1')).toBe(new SecretBox('k'.repeat(40)).lookupHash('sessionid-1'));
    expect(box.lookupHash('sessionid-1')).not.toBe(box.lookupHash('sessionid-2'));
    expect(box.lookupHash('sessionid-1')).not.toBe(new SecretBox('j'.repeat(40)).lookupHash('sessionid-1'));
  });

  it('masks secrets', () => {
    expect(maskSecret('abcdefghijklmnop')).toBe('abcd…mnop');
    expect(maskSecret('short')).toBe('*****');
  });
});

describe('nextQuotaReset', () => {
  it('is 00:30 the next day in Asia/Shanghai', () => {
    // 2026-11-22 23:50 in Shanghai is 15:50 UTC.
    const reset = nextQuotaReset(new Date('2026-11-22T15:50:00Z'), '00:30', 'Asia/Shanghai');
    expect(reset.toISOString()).toBe('2026-11-22T16:30:00.000Z');
    expect(formatZoned(reset, 'Asia/Shanghai')).toBe('2026-11-23 00:30:00');
  });

  it('handles a DST zone', () => {
    // The night US clocks go back (2026-11-01), New York.
    const reset = nextQuotaReset(new Date('2026-10-31T12:00:00Z'), '00:30', 'America/New_York');
    expect(formatZoned(reset, 'America/New_York')).toBe('2026-11-01 00:30:00');
  });
});

describe('ids', () => {
  it('makes unique snowflakes and uuids', () => {
    const ids = createIdGenerator();
    const many = new Set(Array.from({ length: 5000 }, () => ids.snowflake()));
    expect(many.size).toBe(5000);
    expect(ids.uuid()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
