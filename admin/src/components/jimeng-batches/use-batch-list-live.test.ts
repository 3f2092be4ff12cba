import { describe, expect, it } from 'vitest';
import { listPollInterval } from './use-batch-list-live';

describe('listPollInterval', () => {
  it('never polls while the batches room is live, running batches included (their counts are pushed)', () => {
    expect(listPollInterval('live', false)).toBe(false);
    expect(listPollInterval('live', true)).toBe(false);
  });

  it('falls back to a 30 s poll while the socket is connecting or down', () => {
    expect(listPollInterval('polling', false)).toBe(30_000);
    expect(listPollInterval('connecting', false)).toBe(30_000);
  });

  it('refreshes running batches’ progress every 5 s while the socket is down', () => {
    expect(listPollInterval('polling', true)).toBe(5_000);
    expect(listPollInterval('connecting', true)).toBe(5_000);
  });
});
