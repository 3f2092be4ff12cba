import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  createTelegramBot,
  JobTracker,
  silentLogger,
  type DiscordBot,
  type DreamloomClient,
} from '@dreamloom/bots';
import {
  chatInputInteraction,
  dispatchInteraction,
  createOfflineDiscordBot,
  startFakeDiscordRest,
  type FakeDiscordRest,
} from './fakes/discord-rest.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from './fakes/telegram-bot-api.js';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

const EPHEMERAL = 64;

/**
 * The per-member limit seen from the bots against the real server: a member at the limit is told
 * privately (ephemeral on Discord) and charged nothing; `/balance` shows running, queued and the limit.
 */
describe('bots and the generations-in-flight limit', () => {
  let system: RunningSystem;
  let discord: FakeDiscordRest;
  let telegram: FakeTelegramBotApi;
  let dreamloom: DreamloomClient;
  let bot: DiscordBot;
  const jobs = new JobTracker();

  beforeAll(async () => {
    // No worker: the member's generations stay queued, so the limit is reached and stays reached.
    system = await startSystem({ worker: false, env: { ANIME_MAX_JOBS_IN_FLIGHT: '2' } });
    discord = await startFakeDiscordRest();
    telegram = await startFakeTelegramBotApi();
    dreamloom = createDreamloomClient({ baseUrl: system.baseUrl, botToken: system.botToken });
    bot = createOfflineDiscordBot({ dreamloom, logger: silentLogger, editIntervalMs: 0, jobs }, discord);
  });
  afterAll(async () => {
    await bot?.stop();
    await dreamloom?.close();
    await discord?.close();
    await telegram?.close();
    await system?.stop();
  });

  async function fillUp(platform: 'discord' | 'telegram', platformUserId: string) {
    const headers = botHeaders(system.botToken, platform, platformUserId);
    for (const prompt of ['first', 'second']) {
      const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers,
        body: { prompt },
      });
      expect(created.status).toBe(200);
    }
    return headers;
  }

  function command(platformUserId: string, commandName: string, options: Record<string, string> = {}) {
    const raw = chatInputInteraction({
      appId: discord.appId,
      commandName,
      options,
      user: { id: platformUserId, username: 'mika', global_name: 'Mika' },
    });
    discord.registerInteraction(raw.token, raw.channel.id);
    dispatchInteraction(bot.client, raw);
    return raw;
  }

  it('Discord: /imagine at the limit answers privately with the limit; /balance shows the queue', async () => {
    const platformUserId = `4${Date.now()}`.slice(0, 18);
    const headers = await fillUp('discord', platformUserId);

    const sentAt = Date.now();
    const raw = command(platformUserId, 'imagine', { prompt: 'one too many' });
    await jobs.idle();
    const answered = discord.callsTo(`PATCH /webhooks/:app/${raw.token}/messages/@original`)[0];
    expect(answered.at - sentAt).toBeLessThan(1000);
    // Deferred privately, so nothing public is ever posted; the reason goes to the member alone.
    expect(discord.publicMessage(raw.token)).toBeUndefined();
    expect(discord.channelMessages(raw.channel.id)).toEqual([]);
    const reply = discord.original(raw.token)!;
    expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(reply.content).toBe(
      '❌ You already have 2 generations running or queued. Wait for one to finish, or stop one with ✖ Cancel on its card, then try again. /balance shows what is running.',
    );
    const tasks = await api(system.baseUrl, 'GET', '/api/anime-generation/history', { headers });
    expect(tasks.body.data.pagination.total).toBe(2);

    const balance = command(platformUserId, 'balance');
    await jobs.idle();
    const edits = discord.callsTo(`PATCH /webhooks/${discord.appId}/${balance.token}/messages/@original`);
    expect(edits.at(-1)?.body?.content).toBe(
      'Your balance: 0 MC\nGenerations: 0 running, 2 queued (limit 2 at once)',
    );
  });

  it('Telegram: /imagine at the limit is answered at once as a reply to the member, with no card', async () => {
    const platformUserId = String(700_000_000 + Math.floor(Math.random() * 99_999_999));
    await fillUp('telegram', platformUserId);
    const tg = createTelegramBot(
      'limits:token',
      { dreamloom, logger: silentLogger, editIntervalMs: 3000, jobs },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    const before = telegram.calls.length;
    const sentAt = Date.now();
    await tg.handleUpdate(
      textMessageUpdate({
        updateId: 2,
        text: '/imagine one too many',
        from: { id: Number(platformUserId), first_name: 'Mika' },
      }),
    );
    await jobs.idle();
    const calls = telegram.calls.slice(before);
    expect(calls.map((call) => call.method)).toEqual(['sendMessage']);
    expect(calls[0].at - sentAt).toBeLessThan(1000);
    expect(calls[0].params).toMatchObject({
      reply_parameters: { message_id: expect.any(Number) },
      text: '❌ You already have 2 generations running or queued. Wait for one to finish, or stop one with ✖ Cancel on its card, then try again. /balance shows what is running.',
    });
  });

  it('Telegram: /help reads the prices from the server (images free by default) and says how to get credits', async () => {
    const tg = createTelegramBot(
      'limits:token',
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    await tg.handleUpdate(
      textMessageUpdate({ updateId: 3, text: '/help', from: { id: 799_000_001, first_name: 'Newcomer' } }),
    );
    const help = String(telegram.callsTo('sendMessage').at(-1)!.params.text);
    expect(help).toContain('Images: free (0 MC)');
    expect(help).toContain('Kling 2.5 (kling/video-v2.5) 210 MC (720p, 5 s)');
    expect(help).toContain('Wan 2.5 (wan/2.5) 300 MC (720p, 5 s)');
    expect(help).toContain(
      'You have 0 MC.\nImages are free, so /imagine works now. Credits (MC) are added by',
    );
  });

  it('Telegram: /balance shows the queue and the limit', async () => {
    const platformUserId = String(700_000_000 + Math.floor(Math.random() * 99_999_999));
    await fillUp('telegram', platformUserId);
    const tg = createTelegramBot(
      'limits:token',
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    await tg.handleUpdate(
      textMessageUpdate({
        updateId: 1,
        text: '/balance',
        from: { id: Number(platformUserId), first_name: 'Mika' },
      }),
    );
    const replies = telegram.callsTo('sendMessage').map((call) => String(call.params.text));
    expect(replies.at(-1)).toBe('Your balance: 0 MC\nGenerations: 0 running, 2 queued (limit 2 at once)');
  });
});
