import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from '../testing/fake-telegram-bot-api.js';
import { createTelegramBot, telegramCommands } from './create-telegram-bot.js';

const TOKEN = '123456:TEST-token';

describe('Telegram /balance and /quote (grammY against a fake Bot API)', () => {
  let api: FakeTelegramBotApi;
  let updateId = 1;

  beforeEach(async () => {
    api = await startFakeTelegramBotApi();
  });
  afterEach(async () => {
    await api.close();
  });

  async function send(options: FakeDreamloomClientOptions, text: string) {
    const dreamloom = new FakeDreamloomClient(options);
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs: new JobTracker() },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text }));
    return { dreamloom, replies: api.callsTo('sendMessage').map((call) => String(call.params.text)) };
  }

  it('answers /balance with the member balance', async () => {
    const { replies } = await send({ balance: 1234 }, '/balance');
    expect(replies).toEqual(['Your balance: 1234 MC']);
    expect(telegramCommands.map((command) => command.command)).toEqual(
      expect.arrayContaining(['balance', 'quote']),
    );
  });

  it('shows the generations running and queued with the limit and daily quota', async () => {
    const { replies } = await send(
      { balance: 90, jobs: { running: 1, queued: 2, limit: 3, dailyUsed: 7, dailyQuota: 20 } },
      '/balance',
    );
    expect(replies).toEqual([
      'Your balance: 90 MC\nGenerations: 1 running, 2 queued (limit 3 at once)\nToday: 7 of 20 generations used',
    ]);
  });

  it('quotes a video with model, seconds and quality, and shows refusals to the user', async () => {
    const quoted = await send(
      { quote: { credits: 1000, explain: 'Wan 2.5 (wan/2.5), 1080p, 10 s: 1000 MC' } },
      '/quote wan/2.5 10s 1080p',
    );
    expect(quoted.dreamloom.quotes).toEqual([
      { modelId: 'wan/2.5', durationSeconds: 10, resolution: '1080p' },
    ]);
    // The server's explanation states the price; it is printed once.
    expect(quoted.replies).toEqual(['Wan 2.5 (wan/2.5), 1080p, 10 s: 1000 MC']);

    const mode = await send({ quote: { credits: 2100, explain: 'x' } }, '/quote kling-3.0/video pro');
    expect(mode.dreamloom.quotes).toEqual([
      { modelId: 'kling-3.0/video', durationSeconds: undefined, mode: 'pro' },
    ]);

    const refused = await send(
      { quote: new DreamloomApiError('VALIDATION_ERROR', 'Wan 2.5 supports duration_seconds 5, 10', 400) },
      '/quote wan/2.5 7',
    );
    expect(refused.replies.at(-1)).toBe(
      'Cannot quote that: Wan 2.5 makes videos of 5 or 10 seconds. Pick one of those (--duration on Telegram, duration on Discord).',
    );

    // Without a model: the price list (images too), then the usage.
    const list = await send(
      { quote: { credits: 210, explain: 'Kling 2.5 (kling/video-v2.5), 5 s: 210 MC' } },
      '/quote',
    );
    expect(list.replies.at(-1)).toMatch(
      /^Images: free \(0 MC\)\nVideos: Kling 2\.5 \(kling\/video-v2\.5\) 210 MC \(5 s\); /,
    );
    expect(list.replies.at(-1)).toContain('Usage: /quote <model>');
  });

  it('/help and /start list every command, the prices, how credits work and, at 0 MC, the next step', async () => {
    for (const command of ['/help', '/start']) {
      const { replies } = await send(
        { balance: 0, quote: { credits: 210, explain: 'Kling 2.5 (kling/video-v2.5), 5 s: 210 MC' } },
        command,
      );
      const help = replies.at(-1)!;
      for (const name of ['imagine', 'video', 'story', 'balance', 'quote', 'history', 'show', 'help'])
        expect(help).toMatch(new RegExp(`^/${name}\\b`, 'm'));
      expect(help).toContain('Images: free (0 MC)');
      // Models by the server's names, with the id that /video --model and /quote take.
      expect(help).toContain('Kling 2.5 (kling/video-v2.5) 210 MC (5 s)');
      expect(help).toContain('• Sora-2 (sora-2): 10 or 15 s · 16:9 or 9:16');
      expect(help).toContain('A job is charged when it starts and refunded if it fails or you cancel it.');
      expect(help).toContain(
        'You have 0 MC.\nImages are free, so /imagine works now. Credits (MC) are added by',
      );
    }
    // Every command the menu registers is one /help explains.
    const listed = telegramCommands.map((c) => c.command).filter((c) => c !== 'start');
    const { replies } = await send({ balance: 50 }, '/help');
    for (const name of listed) expect(replies.at(-1)).toMatch(new RegExp(`^/${name}\\b`, 'm'));
    expect(replies.at(-1)).toContain('You have 50 MC.');
  });

  it('lists /history with the short ids /show takes', async () => {
    const taskId = '00000000-0000-4000-8000-000000000123';
    const empty = await send({}, '/history');
    expect(empty.replies.at(-1)).toBe('No generations yet. Try /imagine.');
    const listed = await send(
      {
        history: {
          total: 7,
          entries: [
            {
              taskId,
              kind: 'anime',
              status: 'completed',
              prompt: 'a fox',
              createdAt: '2026-01-01T00:00:00Z',
              outputs: [],
            },
          ],
        },
      },
      '/history',
    );
    expect(listed.replies.at(-1)).toBe('Your latest generations (1 of 7):\n✅ 00000000 · anime · a fox');
  });
});
