import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import type { PlatformUser } from './dreamloom-client.js';
import type { StoryApi, StoryCharacter, StoryStreamListener, StorySummary } from './story-client.js';
import { StoryHandler, TYPING, type StorySurface } from './story.handler.js';

const story: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: '',
  characters: [
    { id: 'a', name: 'Mira', imageUrl: 'http://x/mira.png', type: 'character' },
    { id: 'b', name: 'Tobin', imageUrl: null, type: 'character' },
  ],
};
const user: PlatformUser = { platform: 'telegram', id: '1', username: 'aiko' };

/** A story API whose turns stream scripted replies word by word. */
function fakeApi(replies: Array<{ id: string; name: string; text: string }>): StoryApi & { turns: string[] } {
  const turns: string[] = [];
  const stream = async (listener: StoryStreamListener) => {
    for (const [index, reply] of replies.entries()) {
      await listener.onStart?.({ messageId: `m${index}`, characterId: reply.id, characterName: reply.name });
      for (const word of reply.text.split(/(?<= )/)) {
        listener.onDelta?.({ messageId: `m${index}`, content: word });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await listener.onEnd?.({
        id: `m${index}`,
        content: reply.text,
        characterId: reply.id,
        characterName: reply.name,
        role: 'assistant',
      });
    }
  };
  return {
    turns,
    listStories: async () => [story],
    startConversation: async () => ({
      conversationId: 'c1',
      openings: [
        { id: 'o', content: 'Welcome.', characterId: 'a', characterName: 'Mira', role: 'assistant' },
      ],
    }),
    playTurn: async (_user, input, listener) => {
      turns.push(input.content);
      await stream(listener);
    },
    regenerate: async (_user, _id, listener) => stream(listener),
    endConversation: async () => undefined,
  };
}

/** Records every post and edit per message. */
function recordingSurface() {
  const messages: Array<{ character: StoryCharacter; texts: string[]; at: number[] }> = [];
  const surface: StorySurface = {
    async post(character, text) {
      const message = { character, texts: [text], at: [Date.now()] };
      messages.push(message);
      return {
        edit: async (next) => {
          message.texts.push(next);
          message.at.push(Date.now());
        },
      };
    },
  };
  return { surface, messages };
}

describe('StoryHandler', () => {
  it('posts openings, then one message per character that grows by throttled edits', async () => {
    const api = fakeApi([
      { id: 'a', name: 'Mira', text: 'one two three four five six seven eight' },
      { id: 'b', name: 'Tobin', text: 'hm hm hm hm hm hm' },
    ]);
    const handler = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 20 });
    const { surface, messages } = recordingSurface();
    await handler.start(user, 'chat1', story, surface);
    expect(messages.map((m) => [m.character.name, m.texts])).toEqual([['Mira', ['Welcome.']]]);

    const done = await handler.say(user, 'chat1', 'hello', surface);
    expect(done.map((m) => m.characterName)).toEqual(['Mira', 'Tobin']);
    const [mira, tobin] = messages.slice(1);
    expect(mira.character.imageUrl).toBe('http://x/mira.png');
    expect(mira.texts[0]).toBe(TYPING);
    expect(mira.texts.at(-1)).toBe('one two three four five six seven eight');
    expect(tobin.texts.at(-1)).toBe('hm hm hm hm hm hm');
    // Fewer edits than deltas (throttled), and never two within the interval.
    expect(mira.texts.length).toBeLessThan(9);
    for (let i = 2; i < mira.at.length; i += 1)
      expect(mira.at[i] - mira.at[i - 1]).toBeGreaterThanOrEqual(15);
  });

  it('runs turns of one place one at a time, and nothing without a session', async () => {
    const api = fakeApi([{ id: 'a', name: 'Mira', text: 'ok' }]);
    const handler = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5 });
    const { surface, messages } = recordingSurface();
    expect(await handler.say(user, 'nowhere', 'hi', surface)).toEqual([]);
    await handler.start(user, 'chat1', story, surface);
    await Promise.all([
      handler.say(user, 'chat1', 'first', surface),
      handler.say(user, 'chat1', 'second', surface),
    ]);
    expect(api.turns).toEqual(['first', 'second']);
    expect(messages).toHaveLength(3);
    expect((await handler.end(user, 'chat1'))?.conversationId).toBe('c1');
    expect(handler.session('chat1')).toBeUndefined();
  });

  it('finds stories by number, id or title', async () => {
    const handler = new StoryHandler({ api: fakeApi([]), logger: silentLogger, editIntervalMs: 5 });
    expect((await handler.find(user, '1'))?.id).toBe('s1');
    expect((await handler.find(user, 's1'))?.id).toBe('s1');
    expect((await handler.find(user, 'inn'))?.id).toBe('s1');
    expect(await handler.find(user, '7')).toBeUndefined();
  });
});
