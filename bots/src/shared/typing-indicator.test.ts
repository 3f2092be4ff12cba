import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingIndicator } from './typing-indicator.js';

describe('TypingIndicator', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows typing at once and within every 5 s until stopped', async () => {
    const sent: number[] = [];
    const typing = new TypingIndicator(async () => void sent.push(Date.now()));
    await vi.advanceTimersByTimeAsync(10_000);
    typing.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toEqual([0, 4500, 9000]);
  });

  it('does not stack a slow request, and reports failures', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const typing = new TypingIndicator(
      () => {
        calls++;
        return new Promise<void>((_, reject) => setTimeout(() => reject(new Error('429')), 7000));
      },
      { onError: (error) => errors.push(error) },
    );
    await vi.advanceTimersByTimeAsync(7000);
    expect(calls).toBe(1); // the 4.5 s refresh found the first still running
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(2);
    typing.stop();
  });
});
