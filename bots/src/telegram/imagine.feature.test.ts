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
import { isPng, solidPng } from '../testing/png.js';
import { createTelegramBot } from './create-telegram-bot.js';

const TOKEN = '123456:TEST-token';
const png = solidPng(8, 8);
const media = {
  'http://media.test/one.png': { bytes: png, contentType: 'image/png', filename: 'one.png' },
  'http://media.test/two.png': { bytes: png, contentType: 'image/png', filename: 'two.png' },
};

describe('Telegram /imagine (grammY against a fake Bot API)', () => {
  let api: FakeTelegramBotApi;
  let jobs: JobTracker;
  let updateId = 1;

  beforeEach(async () => {
    api = await startFakeTelegramBotApi();
    jobs = new JobTracker();
  });
  afterEach(async () => {
    await api.close();
  });

  function botWith(options: FakeDreamloomClientOptions, editIntervalMs = 0) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs, jobs },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    return { bot, dreamloom };
  }

  async function imagine(bot: ReturnType<typeof botWith>['bot'], text: string, chatId?: number) {
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text, chatId }));
    await jobs.idle();
  }

  it('posts a card, edits it with progress, sends the photo and ends with a completed card', async () => {
    const { bot, dreamloom } = botWith({
      script: [
        { status: 'pending', queuePosition: 1 },
        { status: 'processing', progress: 35, etaSeconds: 12 },
        { status: 'processing', progress: 90, etaSeconds: 2 },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
      ],
      // Far apart enough that no state is coalesced away with a zero edit interval.
      stepDelayMs: 40,
      status: { status: 'completed', creditsUsed: 2 },
    });

    await imagine(bot, '/imagine a tea house in the rain');

    expect(dreamloom.created[0].user).toEqual({ platform: 'telegram', id: '424242', username: 'mika' });
    expect(dreamloom.created[0].input.prompt).toBe('a tea house in the rain');

    const [card] = api.callsTo('sendMessage');
    expect(card.token).toBe(TOKEN);
    expect(card.params).toMatchObject({ chat_id: 424242, reply_parameters: { message_id: 1 } });
    expect(card.params.text).toContain('Prompt: a tea house in the rain');
    expect(api.callsTo('sendMessage')).toHaveLength(1); // one card, edited in place

    const edits = api.callsTo('editMessageText');
    const cardId = 1000;
    expect(edits.every((e) => e.params.message_id === cardId)).toBe(true);
    expect(edits.some((e) => String(e.params.text).includes('Status: Queued · #1'))).toBe(true);
    expect(edits.some((e) => String(e.params.text).includes('35%'))).toBe(true);
    // The server's time left, as elapsed of expected.
    expect(edits.some((e) => /Status: Generating · \d+ s of ~\d+ s/.test(String(e.params.text)))).toBe(true);

    const [photo] = api.callsTo('sendPhoto');
    expect(photo.params).toMatchObject({ chat_id: 424242, caption: '🎨 a tea house in the rain' });
    expect(photo.uploads).toHaveLength(1);
    expect(photo.uploads[0].field).toBe('photo');
    expect(photo.uploads[0].filename).toBe('one.png');
    expect(isPng(photo.uploads[0].bytes)).toBe(true);
    expect(Buffer.compare(photo.uploads[0].bytes, Buffer.from(png))).toBe(0);

    // The final edit comes after the photo and says completed.
    const last = api.calls.at(-1);
    expect(last?.method).toBe('editMessageText');
    expect(String(last?.params.text)).toContain('✅ Completed');
    expect(String(last?.params.text)).toContain('Credits: 2');
    expect(api.textOf(424242, cardId)).toContain('Completed');
  });

  it('sends several images as one media group', async () => {
    const { bot } = botWith({
      script: [
        {
          status: 'completed',
          outputs: [{ url: 'http://media.test/one.png' }, { url: 'http://media.test/two.png' }],
        },
      ],
      status: { status: 'completed', creditsUsed: 4 },
    });
    await imagine(bot, '/imagine twins', -100123);

    // In a group the card says who asked and the settings.
    expect(String(api.callsTo('sendMessage')[0].params.text)).toContain('Requested by: @mika\nSettings: 1:1');
    const [group] = api.callsTo('sendMediaGroup');
    expect(group.params.chat_id).toBe(-100123);
    expect(group.params.media).toHaveLength(2);
    expect(group.params.media).toMatchObject([{ type: 'photo', caption: '🎨 twins' }, { type: 'photo' }]);
    expect(group.uploads.map((u) => u.field)).toEqual(['media[0]', 'media[1]']);
    expect(group.uploads.every((u) => isPng(u.bytes))).toBe(true);
    expect(api.callsTo('sendPhoto')).toHaveLength(0);
    expect(String(api.calls.at(-1)?.params.text)).toContain('Images: 2');
  });

  it('answers an empty prompt with usage and starts nothing', async () => {
    const { bot, dreamloom } = botWith({});
    await imagine(bot, '/imagine   ');
    expect(dreamloom.created).toEqual([]);
    const [usage] = api.callsTo('sendMessage');
    expect(usage.params.text).toMatch(/^Usage: \/imagine <prompt>/);
    expect(api.calls).toHaveLength(1);
  });

  it('accepts the command addressed to the bot by name in groups', async () => {
    const { bot, dreamloom } = botWith({
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] }],
      status: { status: 'completed', creditsUsed: 1 },
    });
    await imagine(bot, `/imagine@${api.botInfo.username} neon city`, -100555);
    expect(dreamloom.created[0].input.prompt).toBe('neon city');
    expect(api.callsTo('sendPhoto')).toHaveLength(1);
  });

  it('ignores "message is not modified" and keeps going', async () => {
    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (m: string) => warnings.push(m),
      error: (m: string) => warnings.push(m),
    };
    const dreamloom = new FakeDreamloomClient({
      media,
      script: [
        { status: 'processing', progress: 50 },
        { status: 'processing', progress: 60 },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
      ],
      stepDelayMs: 30,
      status: { status: 'completed', creditsUsed: 1 },
    });
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger, editIntervalMs: 0, jobs },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    api.failNext('editMessageText', {
      error_code: 400,
      description:
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    });
    await imagine(bot, '/imagine calm sea');

    expect(api.callsTo('editMessageText').length).toBeGreaterThanOrEqual(2);
    expect(warnings).toEqual([]);
    expect(api.callsTo('sendPhoto')).toHaveLength(1);
    expect(String(api.calls.at(-1)?.params.text)).toContain('Completed');
  });

  it('answers a repeated identical edit with the real "not modified" error', async () => {
    const { bot } = botWith({});
    const chatId = 424242;
    const sent = await bot.api.sendMessage(chatId, 'card');
    await bot.api.editMessageText(chatId, sent.message_id, 'card v2');
    await expect(bot.api.editMessageText(chatId, sent.message_id, 'card v2')).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining('message is not modified'),
    });
  });

  it('throttles card edits to the configured interval', async () => {
    const script = Array.from({ length: 12 }, (_, i) => ({
      status: 'processing' as const,
      progress: (i + 1) * 7,
    }));
    const { bot } = botWith(
      {
        script: [...script, { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] }],
        stepDelayMs: 20,
        status: { status: 'completed', creditsUsed: 1 },
      },
      150,
    );
    await imagine(bot, '/imagine slow clouds');
    const cardCalls = api.calls.filter((c) => c.method === 'sendMessage' || c.method === 'editMessageText');
    const gaps = cardCalls.slice(1).map((c, i) => c.at - cardCalls[i].at);
    expect(cardCalls.length).toBeLessThan(script.length);
    // The last edit is the final card, which follows the photo upload and may come sooner.
    expect(gaps.slice(0, -1).every((g) => g >= 140)).toBe(true);
    expect(String(cardCalls.at(-1)?.params.text)).toContain('Completed');
  });

  it('shows a failed job on the card without sending a photo', async () => {
    const { bot } = botWith({
      script: [
        { status: 'processing', progress: 20 },
        {
          status: 'failed',
          error: { code: 'CONTENT_BLOCKED', message: 'The prompt was blocked by the provider.' },
        },
      ],
    });
    await imagine(bot, '/imagine something');
    expect(api.callsTo('sendPhoto')).toHaveLength(0);
    const text = String(api.calls.at(-1)?.params.text);
    expect(text).toContain('❌ Failed');
    expect(text).toContain('The prompt was blocked by the provider.');
  });

  it('answers a refusal at once as a reply to the command, in plain words, and posts no card', async () => {
    const { bot } = botWith(
      {
        createError: new DreamloomApiError(
          'TOO_MANY_JOBS_IN_FLIGHT',
          'You already have 3 generations running or queued (limit 3); wait for one to finish or cancel one',
          429,
        ),
      },
      3000,
    );
    const started = Date.now();
    await imagine(bot, '/imagine anything');
    expect(Date.now() - started).toBeLessThan(1000);
    // The only message is the reply to the member's command; no card, no edits.
    expect(api.calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(api.callsTo('sendMessage')[0].params).toMatchObject({
      reply_parameters: { message_id: expect.any(Number) },
      text: '❌ You already have 3 generations running or queued. Wait for one to finish, or stop one with ✖ Cancel on its card, then try again. /balance shows what is running.',
    });
  });

  it('retries a rate-limited call after retry_after (auto-retry)', async () => {
    const { bot } = botWith({
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] }],
      status: { status: 'completed', creditsUsed: 1 },
    });
    api.failNext('sendPhoto', {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    await imagine(bot, '/imagine patience');
    const photos = api.callsTo('sendPhoto');
    expect(photos).toHaveLength(2);
    expect(photos[1].at - photos[0].at).toBeGreaterThanOrEqual(900);
    expect(isPng(photos[1].uploads[0].bytes)).toBe(true);
  });

  it('routes a failing job to the error boundary, which leaves the card failed', async () => {
    const { bot } = botWith({
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] }],
      status: { status: 'completed', creditsUsed: 1 },
    });
    // A final state is tried three times before the card gives up on it.
    for (let i = 0; i < 3; i++)
      api.failNext('sendPhoto', { error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' });
    await imagine(bot, '/imagine a very wide panorama');
    expect(api.callsTo('sendPhoto')).toHaveLength(3);
    const text = String(api.calls.at(-1)?.params.text);
    expect(api.calls.at(-1)?.method).toBe('editMessageText');
    expect(text).toContain('could not be posted');
    expect(jobs.size).toBe(0);
  });
});
