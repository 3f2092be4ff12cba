import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = { SECRET_KEY: 'x'.repeat(32) };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.DATABASE_URL).toBe('sqlite:data/dreamloom.sqlite');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(8080);
    expect(config.QUOTA_RESET_TIME).toBe('00:30');
    expect(config.QUOTA_TIMEZONE).toBe('Asia/Shanghai');
  });

  it('rejects a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'postgres://x' })).toThrow(
      /DATABASE_URL: expected sqlite:<file> or mysql/,
    );
    expect(() => loadConfig({ ...base, QUOTA_TIMEZONE: 'Mars/Olympus' })).toThrow(
      /QUOTA_TIMEZONE: unknown IANA time zone/,
    );
    expect(() => loadConfig({ ...base, QUOTA_RESET_TIME: '25:00' })).toThrow(/QUOTA_RESET_TIME/);
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig({})).toThrow(/SECRET_KEY: is required/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ ...base, ADMIN_PASSWORD: '' }).ADMIN_PASSWORD).toBeUndefined();
  });
});
