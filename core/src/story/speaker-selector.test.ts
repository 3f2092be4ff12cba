import { describe, expect, it } from 'vitest';
import {
  asksForNarration,
  mentionedMembers,
  selectByRules,
  validateLlmPick,
  type CastMember,
  type SpokenTurn,
} from './speaker-selector.js';

const cast: CastMember[] = [
  { id: 'a', name: 'Alice', talkativeness: 0.9, isNarrator: false },
  { id: 'b', name: 'Bob', talkativeness: 0.2, isNarrator: false },
  { id: 'c', name: '小惠', talkativeness: 0.5, isNarrator: false },
  { id: 'n', name: 'Narrator', talkativeness: 0, isNarrator: true },
];

/** A random source that returns the given values in order. */
const sequence = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length];
};

describe('speaker selection rules', () => {
  it('mentions win, in the order they are named, whatever the strategy', () => {
    for (const strategy of ['natural', 'list', 'pooled', 'manual'] as const) {
      const result = selectByRules({ cast, history: [], userMessage: '小惠 and bob, what now?', strategy });
      expect(result.reason).toBe('mention');
      expect(result.speakers.map((m) => m.id)).toEqual(['c', 'b']);
    }
  });

  it('matches Latin names as whole words only and the narrator by alias', () => {
    expect(mentionedMembers(cast, 'Bobby is here')).toEqual([]);
    expect(mentionedMembers(cast, '@alice!').map((m) => m.id)).toEqual(['a']);
    expect(mentionedMembers(cast, '旁白，描述一下房间').map((m) => m.id)).toEqual(['n']);
  });

  it('natural: each character rolls against talkativeness, in list order', () => {
    // Alice rolls 0.5 < 0.9 (speaks), Bob 0.5 >= 0.2 (silent), 小惠 0.4 < 0.5 (speaks).
    const result = selectByRules({
      cast,
      history: [],
      userMessage: 'hello everyone',
      strategy: 'natural',
      random: sequence(0.5, 0.5, 0.4),
    });
    expect(result.speakers.map((m) => m.id)).toEqual(['a', 'c']);
    expect(result.open).toBe(false);
  });

  it('natural: nobody volunteering leaves the choice open with a rule-based fallback', () => {
    const result = selectByRules({
      cast,
      history: [],
      userMessage: 'hello',
      strategy: 'natural',
      random: sequence(0.99, 0.99, 0.99, 0.0),
    });
    expect(result.open).toBe(true);
    expect(result.speakers).toHaveLength(1);
    expect(result.speakers[0].isNarrator).toBe(false);
  });

  it('self responses are off by default: the last speaker does not answer again', () => {
    const history: SpokenTurn[] = [
      { role: 'user', characterId: null },
      { role: 'assistant', characterId: 'a' },
    ];
    const off = selectByRules({ cast, history, userMessage: 'hm', strategy: 'natural', random: () => 0 });
    expect(off.speakers.map((m) => m.id)).toEqual(['b', 'c']);
    const on = selectByRules({
      cast,
      history,
      userMessage: 'hm',
      strategy: 'natural',
      allowSelfResponses: true,
      random: () => 0,
    });
    expect(on.speakers.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('list: every character in list order, the narrator excluded', () => {
    const result = selectByRules({ cast, history: [], userMessage: 'go on', strategy: 'list' });
    expect(result.speakers.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('pooled: only characters who have not spoken since the user last did', () => {
    const history: SpokenTurn[] = [
      { role: 'assistant', characterId: 'c' },
      { role: 'user', characterId: null },
      { role: 'assistant', characterId: 'a' },
      { role: 'assistant', characterId: 'b' },
    ];
    const result = selectByRules({
      cast,
      history,
      userMessage: 'and?',
      strategy: 'pooled',
      random: () => 0.99,
    });
    expect(result.speakers.map((m) => m.id)).toEqual(['c']);
  });

  it('manual: nobody unless named', () => {
    expect(selectByRules({ cast, history: [], userMessage: 'hi', strategy: 'manual' }).speakers).toEqual([]);
  });

  it('the narrator answers requests to describe the surroundings, whatever the strategy', () => {
    const requests = [
      '描述一下周围的环境',
      '能不能描写一下四周？',
      '我环顾四周',
      '这里的环境是什么样的？',
      'Describe the surroundings, please.',
      'I look around the tavern.',
      'What do I see?',
    ];
    for (const userMessage of requests) {
      for (const strategy of ['natural', 'list', 'pooled', 'manual'] as const) {
        const result = selectByRules({ cast, history: [], userMessage, strategy, random: () => 0 });
        expect({ userMessage, strategy, speakers: result.speakers.map((m) => m.id) }).toEqual({
          userMessage,
          strategy,
          speakers: ['n'],
        });
        expect(result).toMatchObject({ reason: 'narrator', open: false });
      }
    }
  });

  it('a named character still wins, and describing a person or a thing stays with the characters', () => {
    expect(
      selectByRules({
        cast,
        history: [],
        userMessage: '小惠，描述一下周围的环境',
        strategy: 'list',
      }).speakers.map((m) => m.id),
    ).toEqual(['c']);
    for (const text of ['描述一下你自己', 'describe your sword', '你今天过得怎么样？', 'hello everyone'])
      expect(asksForNarration(text)).toBe(false);
    // Without a narrator in the cast, the characters answer as before.
    const noNarrator = cast.filter((m) => !m.isNarrator);
    expect(
      selectByRules({ cast: noNarrator, history: [], userMessage: '描述一下周围的环境', strategy: 'list' })
        .speakers.length,
    ).toBe(3);
  });

  it('the narrator answers scene directions', () => {
    const result = selectByRules({
      cast,
      history: [],
      userMessage: '*opens the creaking door*',
      strategy: 'list',
    });
    expect(result.speakers.map((m) => m.id)).toEqual(['n']);
  });
});

describe('LLM pick validation', () => {
  it('accepts names from the cast (case-insensitive) and drops duplicates', () => {
    expect(validateLlmPick(cast, '{"speakers":["bob","Alice","Bob"]}')!.map((m) => m.id)).toEqual(['b', 'a']);
  });
  it('refuses invented names, malformed JSON and empty answers', () => {
    expect(validateLlmPick(cast, '{"speakers":["Alice","Zed"]}')).toBeNull();
    expect(validateLlmPick(cast, '{"speakers":')).toBeNull();
    expect(validateLlmPick(cast, '{"speakers":[]}')).toBeNull();
    expect(validateLlmPick(cast, '{"who":"Alice"}')).toBeNull();
  });
});
