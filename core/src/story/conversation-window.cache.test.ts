import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConversationWindowCache, type WindowMessage } from './conversation-window.cache.js';

const state = { id: 'c1', story_id: 's1', user_id: 'u1', status: 'active', summary: null, summary_upto: 0 };
const message = (sequence: number, content = `line ${sequence}`): WindowMessage => ({
  id: `m${sequence}`,
  sequence,
  role: 'user',
  character_id: null,
  character_name: null,
  author_name: 'Mia',
  content,
});

afterEach(() => vi.useRealTimers());

describe('ConversationWindowCache', () => {
  it('serves the last messages it read, and appends this process writes in order', () => {
    const cache = new ConversationWindowCache(10_000);
    cache.putState(state);
    cache.putMessages('c1', [message(1), message(2)], 26, cache.version('c1'));
    // Fewer rows than asked for: the conversation is complete, so any window can be served.
    expect(cache.messages('c1', 26)?.map((m) => m.sequence)).toEqual([1, 2]);
    expect(cache.nextSequence('c1')).toBe(3);
    cache.appended('c1', [message(3), message(4)]);
    expect(cache.messages('c1', 2)?.map((m) => m.sequence)).toEqual([3, 4]);
    cache.replaced('c1', message(3, 'edited'));
    expect(cache.messages('c1', 2)?.[0].content).toBe('edited');
  });

  it('does not serve a window larger than it read unless it holds the whole conversation', () => {
    const cache = new ConversationWindowCache(10_000);
    cache.putState(state);
    cache.putMessages('c1', [message(5), message(6)], 2, cache.version('c1'));
    expect(cache.messages('c1', 2)).toHaveLength(2);
    expect(cache.messages('c1', 3)).toBeUndefined();
  });

  it('drops a read that raced with a local write, and the messages after a gap in sequences', () => {
    const cache = new ConversationWindowCache(10_000);
    cache.putState(state);
    cache.putMessages('c1', [message(1)], 26, cache.version('c1'));
    const before = cache.version('c1');
    cache.appended('c1', [message(2)]);
    // This read started before message 2 was written and may not contain it.
    cache.putMessages('c1', [message(1)], 26, before);
    expect(cache.messages('c1', 26)?.map((m) => m.sequence)).toEqual([1, 2]);
    // Sequence 4 after 2: another node wrote 3, so the window is read again.
    cache.appended('c1', [message(4)]);
    expect(cache.messages('c1', 26)).toBeUndefined();
    expect(cache.state('c1')).toEqual(state);
  });

  it("forgets on another node's reply but not on its own, and expires after about the TTL", () => {
    vi.useFakeTimers();
    const cache = new ConversationWindowCache(1000);
    cache.putState(state);
    cache.putMessages('c1', [message(1)], 26, cache.version('c1'));
    cache.foreignReply('c1', { id: 'm1', content: 'line 1' });
    expect(cache.messages('c1', 26)).toHaveLength(1);
    cache.foreignReply('c1', { id: 'm9', content: 'from elsewhere' });
    expect(cache.state('c1')).toBeUndefined();
    cache.putState(state);
    cache.putMessages('c1', [message(1)], 26, cache.version('c1'));
    // Expiry is spread over 0.9–1.1 × the TTL.
    vi.advanceTimersByTime(899);
    expect(cache.state('c1')).toEqual(state);
    vi.advanceTimersByTime(202);
    expect(cache.state('c1')).toBeUndefined();
    // Read again after expiry: the state is fresh, the messages must be read again too.
    cache.putState({ ...state, summary: 'so far' });
    expect(cache.state('c1')?.summary).toBe('so far');
    expect(cache.messages('c1', 26)).toBeUndefined();
  });

  it('touches updated_at at most once a minute per conversation', () => {
    const cache = new ConversationWindowCache(10_000);
    cache.putState(state);
    expect(cache.shouldTouch('c1', 100_000)).toBe(true);
    expect(cache.shouldTouch('c1', 130_000)).toBe(false);
    expect(cache.shouldTouch('c1', 160_001)).toBe(true);
  });

  it('keeps nothing when turned off', () => {
    const cache = new ConversationWindowCache(0);
    cache.putState(state);
    expect(cache.state('c1')).toBeUndefined();
  });
});
