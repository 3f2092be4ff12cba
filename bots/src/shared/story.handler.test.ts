import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import type { PlatformUser } from './dreamloom-client.js';
import type { StoryCharacter, StorySummary } from './story-client.js';
import { StoryHandler, TYPING, type StorySurface } from './story.handler.js';
import { FakeStoryApi, type FakeStoryReply } from '../testing/fake-story-api.js';

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

/** A story server whose turns stream scripted replies word by word (bindings kept "server-side"). */
const fakeApi = (replies: FakeStoryReply[]) => new FakeStoryApi({ stories: [story], replies });

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
    expect(api.turns.map((turn) => turn.content)).toEqual(['first', 'second']);
    expect(messages).toHaveLength(3);
    expect((await handler.end(user, 'chat1'))?.conversationId).toBe('c1');
    expect(await handler.session(user, 'chat1')).toBeUndefined();
    expect(await handler.end(user, 'chat1')).toBeUndefined();
  });

  it('finds stories by number, id or title', async () => {
    const handler = new StoryHandler({ api: fakeApi([]), logger: silentLogger, editIntervalMs: 5 });
    expect((await handler.find(user, '1'))?.id).toBe('s1');
    expect((await handler.find(user, 's1'))?.id).toBe('s1');
    expect((await handler.find(user, 'inn'))?.id).toBe('s1');
    expect(await handler.find(user, '7')).toBeUndefined();
  });

  it('a restarted handler (new instance, same server) continues the conversation of the place', async () => {
    const api = fakeApi([{ id: 'b', name: 'Tobin', text: 'back again' }]);
    const before = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5 });
    const { surface, messages } = recordingSurface();
    const started = await before.start(user, 'chat1', story, surface);
    await before.say(user, 'chat1', 'before the restart', surface);

    const after = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5 });
    expect((await after.session(user, 'chat1'))?.conversationId).toBe(started.conversationId);
    const done = await after.say(user, 'chat1', 'after the restart', surface);
    expect(done.map((m) => m.content)).toEqual(['back again']);
    expect(api.turns).toEqual([
      { conversationId: started.conversationId, content: 'before the restart' },
      { conversationId: started.conversationId, content: 'after the restart' },
    ]);
    expect(messages.at(-1)!.character.name).toBe('Tobin');
    // The same place on the other platform is another place.
    expect(await after.session({ ...user, platform: 'discord' }, 'chat1')).toBeUndefined();
  });

  it('two handlers share a place; an end by one is seen by the other even while it remembers', async () => {
    const api = fakeApi([{ id: 'a', name: 'Mira', text: 'yes' }]);
    // `one` asks the server every time; `two` remembers for a minute (the stale case).
    const one = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5, sessionCacheMs: 0 });
    const two = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5, sessionCacheMs: 60_000 });
    const { surface, messages } = recordingSurface();
    await one.start(user, 'group', story, surface);
    await two.say(user, 'group', 'from process two', surface);
    expect(api.turns.map((turn) => turn.content)).toEqual(['from process two']);
    const posted = messages.length;

    expect((await one.end(user, 'group'))?.story.title).toBe('Inn');
    // `two` still remembers the session; the server refuses the turn, `two` looks again and stays quiet.
    expect(await two.say(user, 'group', 'anyone?', surface)).toEqual([]);
    expect(messages).toHaveLength(posted);
    expect(await two.session(user, 'group')).toBeUndefined();
    expect(await two.regenerate(user, 'group', surface)).toEqual([]);

    // A new story started by `two` is what `one` plays next.
    await two.start(user, 'group', story, surface);
    await one.say(user, 'group', 'new story', surface);
    expect(api.turns.at(-1)).toEqual({ conversationId: 'c2', content: 'new story' });
  });

  it('lets every member of the place play: turns name the place the member speaks in', async () => {
    const api = fakeApi([{ id: 'a', name: 'Mira', text: 'welcome' }]);
    const handler = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 5 });
    const { surface } = recordingSurface();
    const session = await handler.start(user, 'group', story, surface);
    const friend: PlatformUser = { platform: 'telegram', id: '2', username: 'ren' };
    expect(await handler.say(friend, 'group', 'hello from a friend', surface)).toHaveLength(1);
    expect(await handler.regenerate(friend, 'group', surface)).toHaveLength(1);
    // Without naming the place the (fake) server answers as the real one does to a non-participant.
    await expect(
      api.playTurn(friend, { conversationId: session.conversationId, content: 'sneaking in' }, {}),
    ).rejects.toMatchObject({ status: 404 });
    // Naming another place does not help either.
    await expect(
      api.playTurn(
        { ...friend, channel: 'elsewhere' },
        { conversationId: session.conversationId, content: 'sneaking in' },
        {},
      ),
    ).rejects.toMatchObject({ status: 404 });
    expect(api.turns.map((turn) => turn.content)).toEqual(['hello from a friend']);
  });

  it('refuses a second story in a running place, and asks the server once per place while it remembers', async () => {
    const api = fakeApi([]);
    const handler = new StoryHandler({
      api,
      logger: silentLogger,
      editIntervalMs: 5,
      sessionCacheMs: 60_000,
    });
    const { surface } = recordingSurface();
    await Promise.all([handler.session(user, 'quiet'), handler.session(user, 'quiet')]);
    await handler.session(user, 'quiet');
    expect(api.calls.get('findBinding')).toBe(1);

    await handler.start(user, 'busy', story, surface);
    await expect(handler.start(user, 'busy', story, surface)).rejects.toMatchObject({
      status: 409,
      message: 'A story already runs here: Inn',
    });
    expect(api.calls.get('findBinding')).toBe(1);
  });

  it('reads a failed lookup for an ordinary message as "no story here"', async () => {
    const api = fakeApi([]);
    api.findBinding = async () => {
      throw new Error('server away');
    };
    const warnings: string[] = [];
    const handler = new StoryHandler({
      api,
      logger: { ...silentLogger, warn: (message) => warnings.push(message) },
      editIntervalMs: 5,
    });
    expect(await handler.sessionForMessage(user, 'chat1')).toBeUndefined();
    expect(warnings).toEqual(['Story lookup failed; message not played']);
    await expect(handler.session(user, 'chat1')).rejects.toThrow('server away');
  });
  it('regenerates the opening in its own message when nobody has spoken yet', async () => {
    const api = fakeApi([]);
    const handler = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 });
    const { surface, messages } = recordingSurface();
    await handler.start(user, 'chat8', story, surface);
    api.regenerations.push('Mira pokes the embers.');
    await handler.regenerate(user, 'chat8', surface);
    expect(messages.map((m) => [m.character.name, m.texts.at(-1)])).toEqual([
      ['Mira', 'Mira pokes the embers.'],
    ]);
  });

  it('browses a reply after a restart: the versions are read back from the server', async () => {
    const api = fakeApi([{ id: 'b', name: 'Tobin', text: 'Aye.' }]);
    const first = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 });
    const { surface, messages } = recordingSurface();
    await first.start(user, 'chat9', story, surface);
    const [reply] = await first.say(user, 'chat9', 'hello', surface);
    api.regenerations.push('Evening.');
    await first.regenerate(user, 'chat9', surface);
    // The regenerate rewrote Tobin's message rather than posting one.
    expect(messages.map((m) => m.character.name)).toEqual(['Mira', 'Tobin']);
    expect(messages[1].texts.at(-1)).toBe('Evening.');

    // A new process never showed the reply; a press on its ◀ still works, in the server's order.
    const restarted = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 });
    const outcome = await restarted.swipe(user, 'chat9', reply.id, 0);
    expect(outcome).toEqual({
      content: 'Aye.',
      characterName: 'Tobin',
      controls: { messageId: reply.id, index: 0, count: 2 },
    });
    expect(api.messages.find((m) => m.id === reply.id)).toMatchObject({
      content: 'Aye.',
      swipes: ['Evening.'],
    });
    expect(await restarted.swipe(user, 'chat9', 'm-unknown', 0)).toEqual({
      refused: 'This reply can no longer be changed.',
    });
    // Once the story ended (through another process), the server's refusal is the presser's answer.
    await first.end(user, 'chat9');
    expect(await restarted.swipe(user, 'chat9', reply.id, 1)).toEqual({
      refused: 'This conversation has ended',
    });
    expect(await first.swipe(user, 'chat9', reply.id, 1)).toEqual({
      refused: 'No story runs here any more.',
    });
  });
});
