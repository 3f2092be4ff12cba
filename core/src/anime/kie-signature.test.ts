import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signKieCallback, verifyKieSignature } from './kie-signature.js';

describe('kie webhook signature', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const timestamp = String(now.getTime() / 1000);

  it('is base64(HMAC-SHA256(taskId + "." + timestamp, key))', () => {
    const expected = createHmac('sha256', 'key').update(`task-1.${timestamp}`).digest('base64');
    expect(signKieCallback('key', 'task-1', timestamp)).toBe(expected);
    expect(() => verifyKieSignature('key', 'task-1', { signature: expected, timestamp }, now)).not.toThrow();
  });

  it('refuses missing, forged, other-task and stale signatures', () => {
    const good = signKieCallback('key', 'task-1', timestamp);
    const cases = [
      {},
      { signature: good },
      { signature: signKieCallback('other', 'task-1', timestamp), timestamp },
      { signature: signKieCallback('key', 'task-2', timestamp), timestamp },
    ];
    for (const headers of cases) {
      expect(() => verifyKieSignature('key', 'task-1', headers, now)).toThrow(/Webhook refused/);
    }
    const old = String(now.getTime() / 1000 - 3600);
    expect(() =>
      verifyKieSignature(
        'key',
        'task-1',
        { signature: signKieCallback('key', 'task-1', old), timestamp: old },
        now,
      ),
    ).toThrow(/stale/);
  });
});
