import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets.js';

describe('redactSecrets', () => {
  it('masks credential fields at any depth, drops sealed and hashed values, keeps masks and the rest', () => {
    const redacted = redactSecrets({
      name: 'a@studio.test',
      session_id: 'sessionid-0001-abcdefghijkl',
      secret_enc: 'v1:ciphertext',
      session_hash: 'deadbeef',
      session_mask: 'sess…ijkl',
      nested: [{ api_key: 'AIzaSyExampleExampleExample', count: 3 }],
      at: new Date('2026-01-01T00:00:00Z'),
    });
    expect(redacted).toEqual({
      name: 'a@studio.test',
      session_id: 'sess…ijkl',
      session_mask: 'sess…ijkl',
      nested: [{ api_key: 'AIza…mple', count: 3 }],
      at: '2026-01-01T00:00:00.000Z',
    });
  });
});
