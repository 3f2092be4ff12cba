import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { StoryHandler } from '../shared/story.handler.js';
import type { StorySummary } from '../shared/story-client.js';
import { createOfflineDiscordBot } from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { FakeStoryApi } from '../testing/fake-story-api.js';
import { type DiscordBot } from './create-discord-bot.js';

const story: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: '',
  characters: [
    { id: 'a', name: 'Mira', imageUrl: 'http://x/mira.png', type: 'character' },
    { id: 'b', name: 'Tobin', imageUrl: null, type: 'character' },
  ],
};
const author = { id: '340000000000000001', username: 'Aiko', bot: false };

describe('Discord story threads (discord.js against a fake REST API, a fake story server)', () => {
  let discord: FakeDiscordRest;
  let bots: DiscordBot[];
  let api: FakeStoryApi;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    bots = [];
    api = new FakeStoryApi({ stories: [story], replies: [{ id: 'b', name: 'Tobin', text: 'Aye.' }] });
  });
  afterEach(async () => {
    for (const bot of bots) await bot.stop();
    await discord.close();
  });

  /** One bot process: its own handler (memory) over the shared story server. */
  function botProcess() {
    const handler = new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 });
    const bot = createOfflineDiscordBot(
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs: new JobTracker(),
        story: handler,
      },
      discord,
    );
    bots.push(bot);
    return { bot, handler };
  }

  it("a new process answers in a thread it never saw, through the parent channel's webhook", async () => {
    const first = botProcess();
    const { binding } = await api.bind(
      { platform: 'discord', id: author.id, username: author.username },
      { channel: '350000000000000009', storyId: 's1', parentChannel: '350000000000000001' },
    );
    expect(binding.parentChannel).toBe('350000000000000001');
    await first.bot.stop();

    const second = botProcess();
    await second.bot.handleStoryMessage({ channelId: '350000000000000009', content: 'Hello', author });
    const [hook] = discord.webhooks();
    expect(hook.channel_id).toBe('350000000000000001');
    const sent = discord.webhookMessages('350000000000000009');
    // Threaded to the member who spoke: webhook messages cannot be replies, so they name them (no ping).
    expect(sent.map((m) => [m.username, m.content, m.webhook_id])).toEqual([
      ['Tobin', `-# ↪ <@${author.id}>\nAye.`, hook.id],
    ]);
    expect(discord.callsTo('POST /webhooks/:id/:token').at(-1)!.body).toMatchObject({
      allowed_mentions: { parse: [] },
    });
    expect(api.turns).toEqual([{ conversationId: binding.conversationId, content: 'Hello' }]);
  });

  it('never asks the server about messages outside threads, nor plays in threads without a story', async () => {
    const { bot } = botProcess();
    await bot.handleStoryMessage({ channelId: '350000000000000001', inThread: false, content: 'hi', author });
    expect(api.calls.get('findBinding')).toBeUndefined();
    await bot.handleStoryMessage({ channelId: '350000000000000002', inThread: true, content: 'hi', author });
    expect(api.calls.get('findBinding')).toBe(1);
    expect(api.turns).toEqual([]);
    expect(discord.webhooks()).toEqual([]);
  });
});
