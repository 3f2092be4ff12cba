import { randomInt } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDreamloomClient,
  createTelegramBot,
  createVideoCommand,
  JobTracker,
  silentLogger,
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
import { photoMessageUpdate, solidPng } from '@dreamloom/bots/testing';
import { api, botHeaders } from './support/clients.js';
import { balanceOf, grant } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { taskIdOnCard } from './support/cards.js';

/** MP4 files carry an `ftyp` box at offset 4. */
const isMp4 = (bytes: Uint8Array) => Buffer.from(bytes.subarray(4, 8)).toString('latin1') === 'ftyp';

/**
 * `/video` on both platforms against the real system (server, worker, sandbox kie.ai, Redis):
 * the quote charged at creation shows on the card, and the final MP4 is delivered.
 */
describe('bots /video end to end', () => {
  let system: RunningSystem;
  let dreamloom: DreamloomClient;

  beforeAll(async () => {
    system = await startSystem();
    dreamloom = createDreamloomClient({
      baseUrl: system.baseUrl,
      botToken: system.botToken,
      pollIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await dreamloom?.close();
    await system?.stop();
  });

  /** Provisions the platform user (first contact) and gives them credits. */
  async function fundedMember(platform: 'discord' | 'telegram', platformUserId: string, amount: number) {
    const headers = botHeaders(system.botToken, platform, platformUserId);
    const { user_id } = await balanceOf(system, headers);
    expect((await grant(system, user_id, amount)).status).toBe(200);
    return headers;
  }

  it("reads the server's video catalogue, which /video and /quote suggest from", async () => {
    const models = await dreamloom.listVideoModels({ platform: 'discord', id: `${randomInt(1e9, 2e9)}` });
    expect(models.map((m) => [m.id, m.name])).toContainEqual(['kling-3.0/video', 'Kling 3.0']);
    expect(models.find((m) => m.id === 'sora-2')).toMatchObject({
      ratios: ['16:9', '9:16'],
      durations: [10, 15],
      resolutions: [],
      modes: [],
    });
  });

  describe('Discord', () => {
    let discord: FakeDiscordRest;
    beforeAll(async () => {
      discord = await startFakeDiscordRest();
    });
    afterAll(async () => {
      await discord?.close();
    });

    it('finishes a video whose interaction token expired mid-job as a channel message with the MP4', async () => {
      // Slow the provider so the job is still running when the token "expires".
      system.sandbox.state.setLatency(600);
      const jobs = new JobTracker();
      const video = createVideoCommand({
        imagine: { dreamloom, logger: silentLogger, editIntervalMs: 100 },
        // As if the job outlived the interaction token: it runs out right after the first edits.
        tokenDeadline: () => Date.now() + 300,
      });
      const bot = createOfflineDiscordBot(
        { dreamloom, logger: silentLogger, editIntervalMs: 100, jobs, commands: [video] },
        discord,
      );
      try {
        const userId = `3${Date.now()}${randomInt(1000)}`.slice(0, 19);
        const headers = await fundedMember('discord', userId, 1000);
        const raw = chatInputInteraction({
          appId: discord.appId,
          commandName: 'video',
          options: {
            prompt: 'koi circling in a pond',
            model: 'kling/video-v2.5',
            duration: 5,
            ratio: '16:9',
          },
          user: { id: userId, username: 'ren' },
        });
        discord.registerInteraction(raw.token, raw.channel.id);
        dispatchInteraction(bot.client, raw);
        await jobs.idle();

        const tokenCalls = discord.calls.filter((c) =>
          c.path.startsWith(`/webhooks/${discord.appId}/${raw.token}`),
        );
        expect(tokenCalls.length).toBeGreaterThanOrEqual(1);
        const channelCalls = discord.calls.filter((c) =>
          c.path.startsWith(`/channels/${raw.channel.id}/messages`),
        );
        expect(channelCalls[0].method).toBe('POST');
        expect(channelCalls[0].authorization).toMatch(/^Bot /);
        expect(tokenCalls.every((c) => c.at <= channelCalls[0].at)).toBe(true);

        const message = discord.channelMessages(raw.channel.id).at(-1)!;
        expect(message.content).toContain(`<@${userId}>`);
        const embed = (
          message.embeds as Array<{ title: string; fields: Array<{ name: string; value: string }> }>
        )[0];
        expect(embed.title).toBe('✅ Completed');
        // Kling 2.5, 5 s: 210 MC (contract 001), charged when the task was created.
        expect(embed.fields).toEqual(
          expect.arrayContaining([expect.objectContaining({ name: 'Credits', value: '210' })]),
        );
        // A video, so the card counts videos, not images.
        expect(embed.fields).toEqual(
          expect.arrayContaining([expect.objectContaining({ name: 'Videos', value: '1' })]),
        );
        expect(JSON.stringify(embed.fields)).not.toContain('Images');
        expect(message.attachments).toHaveLength(1);
        const file = message.files.get(message.attachments[0].filename)!;
        expect(isMp4(file)).toBe(true);
        expect((await balanceOf(system, headers)).balance).toBe(1000 - 210);
      } finally {
        system.sandbox.state.setLatency(30);
        await bot.stop();
      }
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

    it('shows the quote on the card, then sends the MP4 with sendVideo', async () => {
      const jobs = new JobTracker();
      const bot = createTelegramBot(
        '700001:e2e-video-token',
        { dreamloom, logger: silentLogger, editIntervalMs: 100, jobs },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
      const userId = randomInt(100_000, 2_000_000_000);
      const headers = await fundedMember('telegram', String(userId), 500);
      await bot.handleUpdate(
        textMessageUpdate({
          updateId: 1,
          text: '/video snow falling on a shrine --model wan/2.5 --duration 5 --ratio 9:16',
          from: { id: userId, first_name: 'Aiko', username: `aiko_${userId}` },
        }),
      );
      await jobs.idle();

      const texts = [
        ...telegram.callsTo('sendMessage').map((c) => String(c.params.text)),
        ...telegram.callsTo('editMessageText').map((c) => String(c.params.text)),
      ];
      // Wan 2.5 at its default 720p, 5 s: 300 MC, shown while the job is still running.
      expect(texts.some((t) => !t.startsWith('✅') && t.includes('Credits: 300'))).toBe(true);
      const [video] = telegram.callsTo('sendVideo');
      expect(video.params).toMatchObject({ chat_id: userId, caption: '🎬 snow falling on a shrine' });
      expect(isMp4(video.uploads[0].bytes)).toBe(true);
      expect(String(telegram.calls.at(-1)?.params.text)).toContain('✅ Completed');
      expect(String(telegram.calls.at(-1)?.params.text)).toContain('Videos: 1');
      expect(String(telegram.calls.at(-1)?.params.text)).not.toContain('Images');

      const taskId = await taskIdOnCard(system, String(telegram.calls.at(-1)?.params.text));
      const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
      expect(status.body.status).toBe('completed');
      expect((await balanceOf(system, headers)).balance).toBe(500 - 300);
    });

    it('starts from a photo frame on the loopback PUBLIC_URL with no allow-list; the frame is the member’s upload', async () => {
      // The embedded default: the server's own URL is loopback and nothing is allow-listed.
      expect(system.config.ANIME_REFERENCE_ALLOWED_HOSTS).toEqual([]);
      expect(new URL(system.config.PUBLIC_URL).hostname).toBe('127.0.0.1');
      const token = '700003:e2e-video-frame-token';
      const photo = solidPng(32, 18);
      telegram.putFile('photos/frame-l.jpg', photo, 'image/png');
      const jobs = new JobTracker();
      const bot = createTelegramBot(
        token,
        { dreamloom, logger: silentLogger, editIntervalMs: 100, jobs },
        { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
      );
      const userId = randomInt(100_000, 2_000_000_000);
      const headers = await fundedMember('telegram', String(userId), 500);
      await bot.handleUpdate(
        photoMessageUpdate({
          updateId: 2,
          caption: '/video the lantern flickers --model wan/2.5 --duration 5',
          fileId: 'frame',
          from: { id: userId, first_name: 'Aiko', username: `aiko_${userId}` },
        }),
      );
      await jobs.idle();

      const inChat = (method: string) => telegram.callsTo(method).filter((c) => c.params.chat_id === userId);
      const last = String(inChat('editMessageText').at(-1)?.params.text);
      expect(last).toContain('✅ Completed');
      expect(last).toContain('Videos: 1');
      expect(isMp4(inChat('sendVideo')[0].uploads[0].bytes)).toBe(true);
      const taskId = await taskIdOnCard(system, last);
      const task = await system.core.models.GenerationTask.findByPk(taskId);
      const frames = JSON.parse(task!.params).request.reference_image_urls as string[];
      expect(frames).toHaveLength(1);
      expect(frames[0].startsWith(`${system.config.PUBLIC_URL}/api/v1/images/`)).toBe(true);
      // The bot uploaded the photo as the member; the Bot API URL (with its token) never left it.
      expect(JSON.stringify(task!.params)).not.toContain(token);
      const upload = await system.core.models.MediaAsset.findOne({
        where: { storage_key: `uploads/${frames[0].split('/').pop()}` },
      });
      expect(upload!.user_id).toBe(task!.user_id);
      // Uploads are stored re-encoded: the same pixels, not necessarily the same bytes.
      const stored = await system.core.storage.get(upload!.storage_key);
      expect(await sharp(stored).raw().toBuffer()).toEqual(await sharp(Buffer.from(photo)).raw().toBuffer());
      expect((await balanceOf(system, headers)).balance).toBe(500 - 300);
    });
  });
});
