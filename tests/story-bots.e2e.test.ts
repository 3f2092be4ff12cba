import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import {
  characterText,
  createDreamloomClient,
  createStoryApi,
  createTelegramBot,
  JobTracker,
  silentLogger,
  StoryHandler,
  type DiscordBot,
  type DreamloomClient,
} from '@dreamloom/bots';
import { callbackQueryUpdate, startFakeDiscordRest, type FakeWebhookMessage } from '@dreamloom/bots/testing';
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
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

const CAST = ['Mira', 'Tobin', 'Wren'];
const EDIT_MS = 60;

/**
 * Story play in both bots against the real system (server, sandbox LLM, Redis): a three-character
 * story in list order (every character answers every turn), several turns, with the platform
 * calls asserted on fake Discord and Telegram APIs.
 */
describe('story play in the bots (end to end)', () => {
  let system: RunningSystem;
  let dreamloom: DreamloomClient;
  let title: string;
  const avatars = new Map<string, string>();

  beforeAll(async () => {
    system = await startSystem({ worker: false });
    // A visible stream: several chunks per reply, so messages grow by edits.
    system.sandbox.state.updateSettings({
      chatFirstTokenMs: 20,
      chatChunkIntervalMs: 25,
      chatTokensPerChunk: 2,
    });
    dreamloom = createDreamloomClient({ baseUrl: system.baseUrl, botToken: system.botToken });
    const characters = await api(system.baseUrl, 'GET', '/api/v1/story-admin/characters?page=1&limit=50', {
      token: system.admin.token,
    });
    const ids: string[] = [];
    for (const name of CAST) {
      const character = characters.body.items.find((c: { name: string }) => c.name === name);
      const avatar = `${system.baseUrl}/api/v1/images/${name.toLowerCase()}.png`;
      avatars.set(name, avatar);
      await api(system.baseUrl, 'PUT', `/api/v1/characters/${character.id}`, {
        token: system.admin.token,
        body: { avatar },
      });
      ids.push(character.id);
    }
    title = `The Three Bards ${Date.now()}`;
    const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
      token: system.admin.token,
      body: {
        story_name: title,
        template_content: 'Three travelling bards share a fire on a cold night.',
        characters: ids,
        opening_messages: [{ content: 'Mira stirs the fire. "Who has a song?"', character: ids[0] }],
        settings: { config: { speaker_strategy: 'list', model: 'sandbox-chat' } },
        language: 'English',
      },
    });
    expect(published.status).toBe(200);
  });
  afterAll(async () => {
    await dreamloom?.close();
    await system?.stop();
  });

  const handler = () =>
    new StoryHandler({
      api: createStoryApi({ baseUrl: system.baseUrl, botToken: system.botToken }),
      logger: silentLogger,
      editIntervalMs: EDIT_MS,
    });

  describe('Discord', () => {
    let discord: FakeDiscordRest & { webhookMessages(id: string): FakeWebhookMessage[] };
    let bot: DiscordBot;
    const jobs = new JobTracker();
    const channelId = '510000000000000001';

    beforeAll(async () => {
      discord = (await startFakeDiscordRest()) as typeof discord;
      bot = createOfflineDiscordBot(
        { dreamloom, logger: silentLogger, editIntervalMs: EDIT_MS, jobs, story: handler() },
        discord,
      );
    });
    afterAll(async () => {
      await bot?.stop();
      await discord?.close();
    });

    function storyCommand(sub: string, options: Record<string, string>, inChannel: string, thread = false) {
      const raw = chatInputInteraction({
        appId: discord.appId,
        commandName: 'story',
        options,
        channelId: inChannel,
        user: { id: '310000000000000001', username: 'aiko', global_name: 'Aiko' },
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
      return raw;
    }

    it('starts the story in a thread and the three characters answer through one webhook, streamed', async () => {
      storyCommand('start', { story: title }, channelId);
      await jobs.idle();
      const [thread] = discord.threads();
      expect(thread).toMatchObject({ parent_id: channelId, name: title.slice(0, 100) });
      expect(discord.webhooks()).toHaveLength(1);
      const hook = discord.webhooks()[0];
      expect(hook.channel_id).toBe(channelId);

      const opening = discord.webhookMessages(thread.id);
      expect(opening).toHaveLength(1);
      expect(opening[0]).toMatchObject({
        username: 'Mira',
        avatar_url: avatars.get('Mira'),
        thread_id: thread.id,
      });

      const members = [
        { id: '320000000000000001', username: 'Aiko' },
        { id: '320000000000000002', username: 'Ben' },
      ];
      for (let turn = 0; turn < 3; turn += 1) {
        const author = members[turn % 2];
        await bot.handleStoryMessage({
          channelId: thread.id,
          content: `Turn ${turn}: tell us a story about the road.`,
          author: { ...author, bot: false },
        });
      }
      // Bots and webhooks (the characters themselves) never trigger a turn.
      await bot.handleStoryMessage({
        channelId: thread.id,
        content: 'echo',
        author: { id: '1', username: 'x', bot: true },
      });

      const sent = discord.webhookMessages(thread.id);
      expect(sent).toHaveLength(1 + 3 * CAST.length);
      expect(sent.slice(1).map((m) => m.username)).toEqual([...CAST, ...CAST, ...CAST]);
      for (const message of sent) {
        expect(message.thread_id).toBe(thread.id);
        expect(message.webhook_id).toBe(hook.id);
        expect(message.avatar_url).toBe(avatars.get(message.username!));
        expect(message.content.length).toBeGreaterThan(1);
        expect(message.content).not.toBe('…');
      }
      // Replies grow as tokens stream: the placeholder first, then longer and longer edits.
      const grown = sent.slice(1).filter((m) => m.history.length >= 3);
      expect(grown.length).toBeGreaterThan(0);
      // Each answer names the member who spoke (webhook messages cannot be Discord replies).
      expect(grown[0].history[0]).toMatch(/^-# ↪ <@32000000000000000[12]>\n…$/);
      for (const [i, message] of sent.slice(1).entries())
        expect(message.content.split('\n')[0]).toBe(`-# ↪ <@${members[Math.floor(i / CAST.length) % 2].id}>`);
      // Edits of one message are rate-limited: n edits span at least n-1 intervals. (Measured where
      // they arrive, so one gap may look shorter when the one before it was delayed on the way;
      // the span cannot.)
      const patches = discord.callsTo(`PATCH /webhooks/${hook.id}/${hook.token}/messages/${grown[0].id}`);
      if (patches.length > 1)
        expect(patches.at(-1)!.at - patches[0]!.at).toBeGreaterThanOrEqual(
          (patches.length - 1) * EDIT_MS - 30,
        );
      expect(patches.every((p) => p.query.thread_id === thread.id)).toBe(true);

      // The conversation on the server has every line with who said it (two humans, one story).
      const lines = await system.core.story.models.ChatMessage.findAll({
        where: { role: 'user' },
        order: [['sequence', 'ASC']],
      });
      expect(lines.map((line) => line.author_name)).toEqual(['Aiko', 'Ben', 'Aiko']);
    });

    it('recreates the webhook once when it was deleted, regenerates and ends', async () => {
      const [thread] = discord.threads();
      const old = discord.webhooks()[0];
      discord.deleteWebhook(old.id);
      await bot.handleStoryMessage({
        channelId: thread.id,
        content: 'Someone deleted the webhook, carry on.',
        author: { id: '320000000000000001', username: 'Aiko', bot: false },
      });
      const hooks = discord.webhooks();
      expect(hooks).toHaveLength(1);
      expect(hooks[0].id).not.toBe(old.id);
      const after = discord.webhookMessages(thread.id).slice(-CAST.length);
      expect(after.map((m) => m.username)).toEqual(CAST);
      expect(after.every((m) => m.webhook_id === hooks[0].id)).toBe(true);

      const before = discord.webhookMessages(thread.id).length;
      const lastReply = discord.webhookMessages(thread.id).at(-1)!;
      const editsBefore = lastReply.history.length;
      storyCommand('regenerate', {}, thread.id, true);
      await jobs.idle();
      // Regenerate rewrites the last reply where it is (issue 15), keeping the earlier version as a swipe.
      const regenerated = discord.webhookMessages(thread.id);
      expect(regenerated).toHaveLength(before);
      expect(regenerated.at(-1)!.id).toBe(lastReply.id);
      expect(regenerated.at(-1)!.username).toBe('Wren');
      expect(regenerated.at(-1)!.history.length).toBeGreaterThan(editsBefore);

      const end = storyCommand('end', {}, thread.id, true);
      await jobs.idle();
      expect(discord.original(end.token)?.content).toMatch(/has ended/);
      await bot.handleStoryMessage({
        channelId: thread.id,
        content: 'anyone?',
        author: { id: '320000000000000001', username: 'Aiko', bot: false },
      });
      expect(discord.webhookMessages(thread.id)).toHaveLength(before);
    });
  });

  describe('Telegram', () => {
    let telegram: FakeTelegramBotApi;
    beforeAll(async () => {
      telegram = await startFakeTelegramBotApi();
    });
    afterAll(async () => {
      await telegram?.close();
    });

    it('plays the story in a group: one bot, each message headed by the character, edits throttled', async () => {
      const jobs = new JobTracker();
      const bot = createTelegramBot(
        '700001:story-token',
        { dreamloom, logger: silentLogger, editIntervalMs: EDIT_MS, jobs, story: handler() },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
      const chatId = -1001234567890;
      let update = 1;
      const say = async (text: string, from = { id: 5001, first_name: 'Aiko', username: 'aiko' }) => {
        await bot.handleUpdate(textMessageUpdate({ updateId: update++, text, chatId, from }));
        await jobs.idle();
      };
      await say('/story list');
      const list = telegram.callsTo('sendMessage').at(-1)!;
      expect(String(list.params.text)).toContain(title);

      await say(`/story start ${title}`);
      const opening = telegram.callsTo('sendMessage').filter((c) => String(c.params.text).startsWith('🎭'));
      expect(opening).toHaveLength(1);
      expect(String(opening[0].params.text)).toBe('🎭 Mira\nMira stirs the fire. "Who has a song?"');

      await say('Good evening, bards!');
      await say('What brings you here?', { id: 5002, first_name: 'Ben', username: 'ben' });
      await say('Sing us something.');
      const characterMessages = telegram
        .callsTo('sendMessage')
        .filter((c) => String(c.params.text).startsWith('🎭'))
        .slice(1);
      expect(characterMessages.map((c) => String(c.params.text).split('\n')[0])).toEqual(
        [...CAST, ...CAST, ...CAST].map((name) => `🎭 ${name}`),
      );
      expect(characterMessages.every((c) => c.params.chat_id === chatId)).toBe(true);
      const edits = telegram.callsTo('editMessageText');
      expect(edits.length).toBeGreaterThanOrEqual(9);
      const finalTexts = new Map<unknown, string>();
      for (const edit of edits) finalTexts.set(edit.params.message_id, String(edit.params.text));
      for (const text of finalTexts.values()) {
        expect(text).toMatch(/^🎭 (Mira|Tobin|Wren)\n/);
        expect(text.split('\n').slice(1).join('\n').length).toBeGreaterThan(1);
      }

      const sentBeforeRegenerate = telegram.callsTo('sendMessage').length;
      await say('/story regenerate');
      // Wren's reply is rewritten where it is, with ◀ 2/2 under it; nothing new is posted.
      expect(telegram.callsTo('sendMessage')).toHaveLength(sentBeforeRegenerate);
      const regenerated = telegram.callsTo('editMessageText').at(-1)!;
      const keyboard = (
        regenerated.params.reply_markup as {
          inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
        }
      ).inline_keyboard;
      expect(keyboard[0].map((b) => b.text)).toEqual(['◀', '2/2']);
      const storyMessageId = keyboard[0][0].callback_data.split(':')[2];
      const { ChatMessage } = system.core.story.models;
      const [firstVersion] = JSON.parse((await ChatMessage.findByPk(storyMessageId))!.swipes!) as string[];

      // Ben brings the first version back: on the platform, and on the server the story goes on from.
      await bot.handleUpdate(
        callbackQueryUpdate({
          updateId: update++,
          data: keyboard[0][0].callback_data,
          messageId: Number(regenerated.params.message_id),
          chatId,
          from: { id: 5002, first_name: 'Ben', username: 'ben' },
        }),
      );
      await jobs.idle();
      expect((await ChatMessage.findByPk(storyMessageId))!.content).toBe(firstVersion);
      expect(telegram.textOf(chatId, Number(regenerated.params.message_id))).toBe(
        characterText('Wren', firstVersion),
      );
      await say('/story end');
      expect(String(telegram.callsTo('sendMessage').at(-1)!.params.text)).toMatch(/has ended/);
      const count = telegram.callsTo('sendMessage').length;
      await say('hello?');
      expect(telegram.callsTo('sendMessage')).toHaveLength(count);
    });
  });
});
