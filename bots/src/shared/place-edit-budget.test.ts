import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlaceEditBudget } from './place-edit-budget.js';

/** A Telegram-like flood refusal; the budget learns the wait through `floodWaitMs`. */
class FloodWait extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`Too Many Requests: retry after ${retryAfterMs / 1000}`);
  }
}

const floodWaitMs = (error: unknown) => (error instanceof FloodWait ? error.retryAfterMs : undefined);

/** Records what each card showed and when (fake time), in delivery order. */
function recorder() {
  const shown: Array<{ card: string; state: string; at: number }> = [];
  const deliver = (card: string, state: string) => async () => {
    shown.push({ card, state, at: Date.now() });
  };
  return { shown, deliver };
}

describe('PlaceEditBudget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("coalesces a card's updates within one interval into one edit with the latest state", async () => {
    const budget = new PlaceEditBudget({ intervalMs: 3000, floodWaitMs });
    const { shown, deliver } = recorder();
    const lane = budget.lane('chat:1');

    lane.push(deliver('a', 'queued'));
    await vi.advanceTimersByTimeAsync(0);
    for (const progress of [10, 20, 30, 40, 50]) lane.push(deliver('a', `progress ${progress}`));
    await vi.advanceTimersByTimeAsync(3000);

    expect(shown.map((s) => s.state)).toEqual(['queued', 'progress 50']);
    expect(shown[1].at - shown[0].at).toBe(3000);
  });

  it('shares one budget between the cards of a place; other places are not held up', async () => {
    const budget = new PlaceEditBudget({ intervalMs: 3000, floodWaitMs });
    const { shown, deliver } = recorder();
    const cards = ['a', 'b', 'c'].map((card) => ({ card, lane: budget.lane('chat:1') }));
    const elsewhere = budget.lane('chat:2');

    for (const { card, lane } of cards) lane.push(deliver(card, 'queued'));
    elsewhere.push(deliver('z', 'queued'));
    await vi.advanceTimersByTimeAsync(0);
    // Updates arrive while the others are waiting for their turn: latest wins per card.
    for (const { card, lane } of cards) lane.push(deliver(card, 'running'));
    await vi.advanceTimersByTimeAsync(3000 * 6);

    const inChat1 = shown.filter((s) => s.card !== 'z');
    // One delivery per interval in the chat, cards taking turns; b and c were still waiting for
    // their first turn when they started running, so they show that state directly.
    expect(inChat1.map((s) => `${s.card}:${s.state}`)).toEqual([
      'a:queued',
      'b:running',
      'c:running',
      'a:running',
    ]);
    const gaps = inChat1.slice(1).map((s, i) => s.at - inChat1[i].at);
    expect(gaps.every((gap) => gap === 3000)).toBe(true);
    // The other chat's card went out at once, not after chat 1's queue.
    expect(shown.find((s) => s.card === 'z')?.at).toBe(0);
  });

  it('never drops a final state: it replaces pending updates and goes before other cards', async () => {
    const budget = new PlaceEditBudget({ intervalMs: 3000, floodWaitMs });
    const { shown, deliver } = recorder();
    const a = budget.lane('chat:1');
    const b = budget.lane('chat:1');

    a.push(deliver('a', 'queued'));
    await vi.advanceTimersByTimeAsync(0);
    b.push(deliver('b', 'queued'));
    a.push(deliver('a', 'running'));
    const done = a.finish(deliver('a', 'completed'));
    // Updates after the final state are ignored.
    a.push(deliver('a', 'late update'));
    await vi.advanceTimersByTimeAsync(3000);
    await expect(done).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(3000);

    expect(shown.map((s) => `${s.card}:${s.state}`)).toEqual(['a:queued', 'a:completed', 'b:queued']);
  });

  it('waits out a 90 s flood wait and re-sends the final state until it lands', async () => {
    const budget = new PlaceEditBudget({ intervalMs: 3000, floodWaitMs, maxFinalAttempts: 3 });
    const { shown, deliver } = recorder();
    const lane = budget.lane('chat:1');
    const other = budget.lane('chat:1');
    let refusals = 0;
    const finalAttempts: number[] = [];
    const final = async () => {
      finalAttempts.push(Date.now());
      // Refused for flooding more often than maxFinalAttempts: a flood wait is not a failure.
      if (refusals++ < 4) throw new FloodWait(90_000);
      await deliver('a', 'completed')();
    };

    const done = lane.finish(final);
    let settled = false;
    void done.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    // The place is silent during the wait: another card's update waits too.
    other.push(deliver('b', 'running'));
    await vi.advanceTimersByTimeAsync(89_000);
    expect(shown).toEqual([]);
    expect(settled).toBe(false);

    await vi.advanceTimersByTimeAsync(4 * 90_000);
    await expect(done).resolves.toBeUndefined();
    expect(finalAttempts).toEqual([0, 90_000, 180_000, 270_000, 360_000]);
    expect(shown[0]).toEqual({ card: 'a', state: 'completed', at: 360_000 });
    // The other card's update goes out once the final state landed, one interval later.
    await vi.advanceTimersByTimeAsync(3000);
    expect(shown[1]).toEqual({ card: 'b', state: 'running', at: 363_000 });
  });

  it('gives up a final state after maxFinalAttempts errors that are not flood waits', async () => {
    const onError = vi.fn();
    const budget = new PlaceEditBudget({ intervalMs: 1000, floodWaitMs, maxFinalAttempts: 3, onError });
    const lane = budget.lane('chat:1');
    let attempts = 0;
    const done = lane.finish(async () => {
      attempts++;
      throw new Error('Forbidden: bot was kicked');
    });
    const outcome = done.catch((error: Error) => error.message);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await outcome).toBe('Forbidden: bot was kicked');
    expect(attempts).toBe(3);
  });

  it('an intermediate update refused for flooding delays the place and a later state still goes out', async () => {
    const onError = vi.fn();
    const budget = new PlaceEditBudget({ intervalMs: 1000, floodWaitMs, onError });
    const { shown, deliver } = recorder();
    const lane = budget.lane('chat:1');
    lane.push(async () => {
      throw new FloodWait(30_000);
    });
    await vi.advanceTimersByTimeAsync(0);
    lane.push(deliver('a', 'running 50'));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(shown).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(shown).toEqual([{ card: 'a', state: 'running 50', at: 30_000 }]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('charges a delivery that sent several messages (photo + card) that many intervals', async () => {
    const budget = new PlaceEditBudget({ intervalMs: 3000, floodWaitMs });
    const { shown, deliver } = recorder();
    const a = budget.lane('chat:1');
    const b = budget.lane('chat:1');
    void a.finish(async () => {
      await deliver('a', 'photo + completed card')();
      return 2;
    });
    b.push(deliver('b', 'queued'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown.map((s) => [s.state, s.at])).toEqual([
      ['photo + completed card', 0],
      ['queued', 6000],
    ]);
  });
});
