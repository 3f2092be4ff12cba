import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import {
  createDreamloomClient,
  createStoryApi,
  createTelegramBot,
  JobTracker,
  silentLogger,
  StoryHandler,
  type DiscordBot,
  type DreamloomClient,
} from '@dreamloom/bots';
import { startFakeDiscordRest, type FakeWebhookMessage } from '@dreamloom/bots/testing';
import {
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  type FakeDiscordRest,
} from './fakes/discord-rest.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from './fakes/telegram-bot-api.js';
import { publishDemoStory } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

const CAST = ['Mira', 'Tobin'];
const EDIT_MS = 20;

/**
 * Which story a thread or chat plays is kept by the server, not by a bot: a bot restarted (a new
 * handler and API client) continues the same conversation, two bot processes share it, and an end
 * through one is seen by the other. Real server, sandbox LLM and Redis; fake Discord and Telegram.
 */
describe('story sessions across bot restarts and processes (end to end)', () => {
  let system: RunningSystem;
  let dreamloom: DreamloomClient;
  let story: { id: string; title: string };

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    system.sandbox.state.updateSettings({
      chatFirstTokenMs: 5,
      chatChunkIntervalMs: 5,
      chatTokensPerChunk: 4,
    });
    dreamloom = createDreamloomClient({ baseUrl: system.baseUrl, botToken: system.botToken });
    story = await publishDemoStory(system, `Restart Fire ${Date.now()}`, CAST);
  });
  afterAll(async () => {
    await dreamloom?.close();
    await system?.stop();
  });

  /** A bot process's story handler: its own API client and its own short memory of places. */
  const handler = () =>
    new StoryHandler({
      api: createStoryApi({ baseUrl: system.baseUrl, botToken: system.botToken }),
      logger: silentLogger,
      editIntervalMs: EDIT_MS,
    });

  /** The server's record of one conversation: its user lines in order. */
  async function userLines(conversationId: string) {
    const rows = await system.core.story.models.ChatMessage.findAll({
      where: { conversation_id: conversationId, role: 'user' },
      order: [['sequence', 'ASC']],
    });
    return rows.map((row) => row.content);
  }

  async function activeBindings(platform: string) {
    const [rows] = await system.core.sequelize.query(
      `SELECT conversation_id FROM story_chat_bindings WHERE platform = '${platform}' AND active_channel IS NOT NULL`,
    );
    return (rows as Array<{ conversation_id: string }>).map((row) => row.conversation_id);
  }

  describe('Telegram', () => {
    let telegram: FakeTelegramBotApi;
    beforeAll(async () => {
      telegram = await startFakeTelegramBotApi();
    });
    afterAll(async () => {
      await telegram?.close();
    });

    const chatId = -1009876543210;
    let update = 1;
    /** Starts one "bot process" on the shared fake Bot API. */
    function telegramProcess() {
      const jobs = new JobTracker();
      const bot = createTelegramBot(
        '700002:session-token',
        { dreamloom, logger: silentLogger, editIntervalMs: EDIT_MS, jobs, story: handler() },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
      return async (text: string, from = { id: 6001, first_name: 'Aiko', username: 'aiko' }) => {
        await bot.handleUpdate(textMessageUpdate({ updateId: update++, text, chatId, from }));
        await jobs.idle();
      };
    }
    const characterMessages = () =>
      telegram.callsTo('sendMessage').filter((call) => String(call.params.text).startsWith('🎭'));
    const lastText = () => String(telegram.callsTo('sendMessage').at(-1)!.params.text);

    it('a restarted bot continues the chat; two bots share it; an end through one is seen by both', async () => {
      const first = telegramProcess();
      await first(`/story start ${story.title}`);
      await first('Good evening!');
      expect(characterMessages().map((c) => String(c.params.text).split('\n')[0])).toEqual([
        '🎭 Mira',
        '🎭 Mira',
        '🎭 Tobin',
      ]);
      const [conversationId] = await activeBindings('telegram');
      expect(conversationId).toEqual(expect.any(String));

      // The bot restarts: nothing of the first process is reused.
      const restarted = telegramProcess();
      await restarted('Are you still there?', { id: 6002, first_name: 'Ben', username: 'ben' });
      expect(characterMessages()).toHaveLength(5);
      expect(await userLines(conversationId)).toEqual(['Good evening!', 'Are you still there?']);

      // A second process alongside: same story, same conversation; a second start is refused.
      const other = telegramProcess();
      await other('From the other process.');
      expect(characterMessages()).toHaveLength(7);
      await other(`/story start ${story.title}`);
      expect(lastText()).toBe(`${story.title} is running here; /story end stops it first.`);
      expect(await userLines(conversationId)).toEqual([
        'Good evening!',
        'Are you still there?',
        'From the other process.',
      ]);

      await other('/story end');
      expect(lastText()).toBe(`The story ${story.title} has ended.`);
      const sent = telegram.callsTo('sendMessage').length;
      // `restarted` looked the chat up a moment ago; the server's refusal makes it look again.
      await restarted('hello?');
      await other('anyone?');
      expect(telegram.callsTo('sendMessage')).toHaveLength(sent);
      expect(await activeBindings('telegram')).toEqual([]);
      expect((await system.core.story.models.Conversation.findByPk(conversationId))?.status).toBe('ended');

      await restarted('/story end');
      expect(lastText()).toBe('No story runs here.');
    });
  });

  describe('Discord', () => {
    let discord: FakeDiscordRest & { webhookMessages(id: string): FakeWebhookMessage[] };
    const bots: DiscordBot[] = [];
    const channelId = '530000000000000001';
    const member = { id: '330000000000000001', username: 'Aiko' };

    beforeAll(async () => {
      discord = (await startFakeDiscordRest()) as typeof discord;
    });
    afterAll(async () => {
      for (const bot of bots) await bot.stop();
      await discord?.close();
    });

    function discordProcess() {
      const jobs = new JobTracker();
      const bot = createOfflineDiscordBot(
        { dreamloom, logger: silentLogger, editIntervalMs: EDIT_MS, jobs, story: handler() },
        discord,
      );
      bots.push(bot);
      const command = async (
        sub: string,
        options: Record<string, string>,
        inChannel: string,
        thread = false,
      ) => {
        const raw = chatInputInteraction({
          appId: discord.appId,
          commandName: 'story',
          options,
          channelId: inChannel,
          user: { id: member.id, username: 'aiko', global_name: member.username },
        }) as unknown as {
          token: string;
          channel: { id: string; type: number; parent_id?: string };
          data: { options: unknown[] };
        };
        raw.data.options = [
          { type: ApplicationCommandOptionType.Subcommand, name: sub, options: raw.data.options },
        ];
        if (thread) {
          raw.channel.type = ChannelType.PublicThread;
          raw.channel.parent_id = channelId;
        }
        discord.registerInteraction(raw.token, inChannel);
        dispatchInteraction(bot.client, raw as never);
        await jobs.idle();
        return discord.original(raw.token)?.content;
      };
      const say = (threadId: string, content: string) =>
        bot.handleStoryMessage({ channelId: threadId, content, author: { ...member, bot: false } });
      return { bot, command, say };
    }

    it('a restarted bot answers in the thread through the parent channel webhook; an end is seen by both', async () => {
      const first = discordProcess();
      await first.command('start', { story: story.title }, channelId);
      const [thread] = discord.threads();
      expect(thread.parent_id).toBe(channelId);
      expect(discord.webhookMessages(thread.id).map((m) => m.username)).toEqual(['Mira']);
      await first.bot.stop();

      // A new process knows neither the thread nor its parent; the server's binding has both.
      const restarted = discordProcess();
      await restarted.say(thread.id, 'We are back.');
      const replies = discord.webhookMessages(thread.id).slice(1);
      expect(replies.map((m) => m.username)).toEqual(CAST);
      const hook = discord.webhooks().find((w) => w.channel_id === channelId)!;
      expect(replies.every((m) => m.webhook_id === hook.id && m.thread_id === thread.id)).toBe(true);
      expect(await restarted.command('regenerate', {}, thread.id, true)).toBe('Regenerated.');
      // The last reply is rewritten in place (issue 15), not posted again.
      expect(discord.webhookMessages(thread.id)).toHaveLength(3);

      // Another process ends it; the restarted one (which remembers the thread) stays quiet after.
      const other = discordProcess();
      expect(await other.command('end', {}, thread.id, true)).toBe(`The story **${story.title}** has ended.`);
      await restarted.say(thread.id, 'Hello?');
      await other.say(thread.id, 'Anyone?');
      expect(discord.webhookMessages(thread.id)).toHaveLength(3);
      expect(await activeBindings('discord')).toEqual([]);
    });
  });
});
