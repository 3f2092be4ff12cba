import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { StoryHandler } from '../shared/story.handler.js';
import type { StorySummary } from '../shared/story-client.js';
import {
  buttonInteraction,
  chatInputInteraction,
  createOfflineDiscordBot,
  dispatchInteraction,
} from '../testing/discord-interactions.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fake-discord-rest.js';
import { FakeStoryApi } from '../testing/fake-story-api.js';
import type { DiscordBot } from './create-discord-bot.js';

const EPHEMERAL = 64;
const channelId = '360000000000000001';
const inn: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: 'A snowed-in inn on the *high* pass.',
  characters: [
    { id: 'a', name: 'Mira', imageUrl: null, type: 'character' },
    { id: 'b', name: 'Tobin', imageUrl: null, type: 'character' },
  ],
};
const aiko = { id: '370000000000000001', username: 'Aiko', global_name: 'Aiko' };
const ben = { id: '370000000000000002', username: 'Ben', global_name: 'Ben' };

interface Component {
  type: number;
  label?: string;
  custom_id?: string;
  disabled?: boolean;
  components?: Component[];
}

/**
 * Story play as members see it on Discord (issue 15): safe markdown, answers naming who spoke,
 * regenerate in place with ◀ ▶ versions, only the starter ends, the story list.
 */
describe('Discord story play (discord.js against a fake REST API, a fake story server)', () => {
  let discord: FakeDiscordRest;
  let api: FakeStoryApi;
  let jobs: JobTracker;
  let bot: DiscordBot;

  beforeEach(async () => {
    discord = await startFakeDiscordRest();
    jobs = new JobTracker();
    api = new FakeStoryApi({
      stories: [inn],
      replies: [{ id: 'b', name: 'Tobin', text: 'Aye.' }],
      openings: [],
      wordDelayMs: 1,
    });
    bot = createOfflineDiscordBot(
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        story: new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 }),
      },
      discord,
    );
  });
  afterEach(async () => {
    await bot.stop();
    await discord.close();
  });

  async function storyCommand(
    sub: string,
    options: Record<string, string>,
    inChannel: string,
    user = aiko,
    permissions?: bigint,
  ) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName: 'story',
      options,
      channelId: inChannel,
      user,
    }) as unknown as {
      token: string;
      member: { permissions: string };
      channel: { id: string; type: number; parent_id?: string };
      data: { options: unknown[] };
    };
    raw.data.options = [
      { type: ApplicationCommandOptionType.Subcommand, name: sub, options: raw.data.options },
    ];
    if (permissions !== undefined) raw.member.permissions = String(permissions);
    if (inChannel !== channelId) {
      raw.channel.type = ChannelType.PublicThread;
      raw.channel.parent_id = channelId;
    }
    discord.registerInteraction(raw.token, inChannel);
    dispatchInteraction(bot.client, raw as never);
    await jobs.idle();
    return raw;
  }

  async function startedThread(): Promise<string> {
    await storyCommand('start', { story: 'Inn' }, channelId);
    return discord.threads()[0].id;
  }

  const say = async (threadId: string, content: string, user = aiko) => {
    await bot.handleStoryMessage({
      channelId: threadId,
      inThread: true,
      content,
      author: { id: user.id, username: user.username, bot: false },
    });
  };

  /** Calls to the story webhook itself (not the interactions' webhooks, which share the route shape). */
  const storyWebhookCalls = (pattern: string) =>
    discord.callsTo(pattern).filter((call) => call.path.startsWith(`/webhooks/${discord.webhooks()[0].id}/`));
  const lastPatch = () => storyWebhookCalls('PATCH /webhooks/:id/:token/messages/:id').at(-1)!;
  const buttonsOf = (body: unknown): Component[] =>
    ((body as { components?: Component[] }).components ?? []).flatMap((row) => row.components ?? []);

  it('keeps *actions* italic, escapes other markdown, never pings, and names who spoke', async () => {
    api = new FakeStoryApi({
      stories: [inn],
      replies: [
        { id: 'b', name: 'Tobin', text: '*raises a mug* __hi__ `x` [site](http://x.test) @everyone' },
      ],
      openings: [],
      wordDelayMs: 1,
    });
    await bot.stop();
    bot = createOfflineDiscordBot(
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        story: new StoryHandler({ api, logger: silentLogger, editIntervalMs: 0 }),
      },
      discord,
    );
    const thread = await startedThread();
    await say(thread, 'Evening.');
    const [reply] = discord.webhookMessages(thread);
    expect(reply.content).toBe(
      `-# ↪ <@${aiko.id}>\n*raises a mug* \\_\\_hi\\_\\_ \\\`x\\\` \\[site](http://x.test) @everyone`,
    );
    const calls = [
      ...storyWebhookCalls('POST /webhooks/:id/:token'),
      ...storyWebhookCalls('PATCH /webhooks/:id/:token/messages/:id'),
    ];
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls)
      expect((call.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    // "… is typing" in the story thread while the reply was being written.
    expect(
      discord.calls.some((call) => call.method === 'POST' && call.path === `/channels/${thread}/typing`),
    ).toBe(true);
  });

  it('regenerates in place and brings back the earlier version with ◀', async () => {
    const thread = await startedThread();
    await say(thread, 'Evening.');
    const [reply] = discord.webhookMessages(thread);
    expect(reply.content).toBe(`-# ↪ <@${aiko.id}>\nAye.`);

    api.regenerations.push('Good evening, stranger.');
    await storyCommand('regenerate', {}, thread);
    expect(discord.webhookMessages(thread)).toHaveLength(1);
    expect(discord.webhookMessages(thread)[0].content).toBe(`-# ↪ <@${aiko.id}>\nGood evening, stranger.`);
    const regenerated = lastPatch();
    expect(regenerated.query.with_components).toBe('true');
    const buttons = buttonsOf(regenerated.body);
    expect(buttons.map((b) => [b.label, b.disabled])).toEqual([
      ['◀', false],
      ['2/2', true],
      ['▶', true],
    ]);

    // Ben presses ◀ on the reply (a webhook message whose content names Aiko).
    const press = buttonInteraction({
      appId: discord.appId,
      customId: buttons[0].custom_id!,
      messageId: reply.id,
      channelId: thread,
      user: ben,
    }) as unknown as { token: string; message: { content: string } };
    press.message.content = discord.webhookMessages(thread)[0].content;
    discord.registerInteraction(press.token, thread);
    dispatchInteraction(bot.client, press as never);
    await jobs.idle();

    expect(discord.webhookMessages(thread)[0].content).toBe(`-# ↪ <@${aiko.id}>\nAye.`);
    expect(buttonsOf(lastPatch().body).map((b) => [b.label, b.disabled])).toEqual([
      ['◀', true],
      ['1/2', true],
      ['▶', false],
    ]);
    // The story goes on from the chosen version: the server's reply is it again.
    const stored = api.messages.find((m) => m.characterName === 'Tobin')!;
    expect([stored.content, stored.swipes]).toEqual(['Aye.', ['Good evening, stranger.']]);
    expect(discord.callsTo(`POST /interactions/:id/${press.token}/callback`)[0].body).toMatchObject({
      type: 6,
    });
  });

  it('refuses a non-starter’s /story end privately and at once; the story goes on; a moderator may end it', async () => {
    const thread = await startedThread();
    const started = Date.now();
    const refused = await storyCommand('end', {}, thread, ben);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(discord.original(refused.token)).toMatchObject({
      content: '❌ Only the member who started this story, or staff, can end it',
      flags: EPHEMERAL,
    });
    expect(discord.threads()[0].locked).toBeUndefined();
    await say(thread, 'Still here?', ben);
    expect(api.turns.map((turn) => turn.content)).toEqual(['Still here?']);

    // A member who may manage the channel's threads moderates its stories.
    const moderator = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ManageThreads;
    const ended = await storyCommand('end', {}, thread, ben, moderator);
    expect(discord.original(ended.token)?.content).toBe('The story **Inn** has ended.');
  });

  it('lists the stories with their intro and cast', async () => {
    const listed = await storyCommand('list', {}, channelId);
    expect(discord.original(listed.token)?.content).toBe(
      [
        'Stories — `/story start` <number> starts one here:',
        '',
        '1. **Inn**',
        'A snowed-in inn on the \\*high\\* pass.',
        'Cast: Mira, Tobin',
      ].join('\n'),
    );
  });
});
