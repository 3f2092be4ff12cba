import { describe, expect, it } from 'vitest';
import { listPollInterval } from './use-batch-list-live';

describe('listPollInterval', () => {
  it('does not poll an idle list while the batches room is live', () => {
    expect(listPollInterval('live', false)).toBe(false);
  });

  it('falls back to a 30 s poll while the socket is connecting or down', () => {
    expect(listPollInterval('polling', false)).toBe(30_000);
    expect(listPollInterval('connecting', false)).toBe(30_000);
  });

  it('refreshes running batches’ progress every 5 s either way', () => {
    expect(listPollInterval('live', true)).toBe(5_000);
    expect(listPollInterval('polling', true)).toBe(5_000);
  });
});
