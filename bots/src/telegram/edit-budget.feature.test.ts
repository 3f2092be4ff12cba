import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import type { EditClock } from '../shared/place-edit-budget.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
} from '../testing/fake-telegram-bot-api.js';
import { solidPng } from '../testing/png.js';
import { createTelegramBot } from './create-telegram-bot.js';

const TOKEN = '123456:TEST-token';
const GROUP = -100777;
const png = solidPng(4, 4);
const media = { 'http://media.test/one.png': { bytes: png, contentType: 'image/png', filename: 'one.png' } };
const members = [1, 2, 3, 4, 5].map((n) => ({ id: 500 + n, first_name: `Member ${n}` }));

/** A clock whose waits return at once: a 90 s flood wait costs the test nothing. */
function instantClock(): EditClock & { waited: number } {
  let now = Date.now();
  const clock = {
    waited: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.waited += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return clock;
}

describe('Telegram job cards share one edit budget per chat', () => {
  let api: FakeTelegramBotApi;
  let jobs: JobTracker;

  beforeEach(async () => {
    api = await startFakeTelegramBotApi();
    jobs = new JobTracker();
  });
  afterEach(async () => {
    await api.close();
  });

  function bot(options: FakeDreamloomClientOptions, editIntervalMs: number, editClock?: EditClock) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    return createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs, jobs, editClock },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
  }

  /** Card messages in the chat: each one is one delivery of the budget (a photo and its card edit are one). */
  const cardCalls = (calls: TelegramApiCall[]) =>
    calls.filter(
      (call, i) =>
        call.params.chat_id === GROUP &&
        (call.method === 'sendMessage' || call.method === 'editMessageText') &&
        calls[i - 1]?.method !== 'sendPhoto',
    );

  it('keeps five concurrent cards in one group within one message per interval, and each ends completed', async () => {
    const interval = 150;
    const tg = bot(
      {
        script: [
          { status: 'pending', queuePosition: 1 },
          { status: 'processing', progress: 20 },
          { status: 'processing', progress: 50 },
          { status: 'processing', progress: 80 },
          { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
        ],
        stepDelayMs: 30,
        status: { status: 'completed', creditsUsed: 0 },
      },
      interval,
    );
    await Promise.all(
      members.map((from, i) =>
        tg.handleUpdate(
          textMessageUpdate({ updateId: i + 1, text: `/imagine card ${i + 1}`, chatId: GROUP, from }),
        ),
      ),
    );
    await jobs.idle();

    const deliveries = [...cardCalls(api.calls), ...api.callsTo('sendPhoto')].sort((a, b) => a.at - b.at);
    const gaps = deliveries.slice(1).map((call, i) => call.at - deliveries[i].at);
    // The fake records a call once its body is read (uploads take longer), so allow some jitter;
    // without a shared budget the five cards were edited within a few ms of each other.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval - 40);
    // Coalescing: far fewer deliveries than the 5 × 6 states the jobs went through.
    expect(deliveries.length).toBeLessThan(30);
    const photos = api.callsTo('sendPhoto');
    expect(photos).toHaveLength(5);
    // A card whose job finished before its first turn is its photo, captioned with the final card
    // and carrying its buttons (one message instead of two); the others are card messages.
    const photoCards = photos.filter((c) => String(c.params.caption).startsWith('✅ Completed'));
    expect(photoCards.length).toBeGreaterThan(0);
    expect(photoCards.every((c) => JSON.stringify(c.params.reply_markup).includes('dl:reroll:'))).toBe(true);
    const cards = api.callsTo('sendMessage').filter((c) => c.params.chat_id === GROUP);
    expect(cards.length + photoCards.length).toBe(5);
    // Every card message ends completed.
    const texts = Array.from({ length: 20 }, (_, i) => api.textOf(GROUP, 1000 + i)).filter(
      (text): text is string => text !== undefined,
    );
    expect(texts).toHaveLength(cards.length);
    expect(texts.every((text) => text.startsWith('✅ Completed'))).toBe(true);
  });

  it('delivers the final card after a 90 s flood wait on the photo, without sending the photo twice', async () => {
    const clock = instantClock();
    const tg = bot(
      {
        script: [{ status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] }],
        status: { status: 'completed', creditsUsed: 0 },
      },
      3000,
      clock,
    );
    // Over auto-retry's 60 s ceiling, so grammY hands the 429 back to the bot.
    api.failNext('sendPhoto', {
      error_code: 429,
      description: 'Too Many Requests: retry after 90',
      parameters: { retry_after: 90 },
    });
    api.failNext('editMessageText', {
      error_code: 429,
      description: 'Too Many Requests: retry after 90',
      parameters: { retry_after: 90 },
    });
    const started = Date.now();
    await tg.handleUpdate(textMessageUpdate({ updateId: 1, text: '/imagine patience', chatId: GROUP }));
    await jobs.idle();

    expect(Date.now() - started).toBeLessThan(3000);
    expect(clock.waited).toBeGreaterThanOrEqual(180_000);
    const photos = api.callsTo('sendPhoto');
    expect(photos).toHaveLength(2); // the refused one, then the one that landed
    expect(api.callsTo('sendMessage')).toHaveLength(1);
    const last = api.calls.at(-1)!;
    expect(last.method).toBe('editMessageText');
    expect(api.textOf(GROUP, Number(last.params.message_id))).toMatch(/^✅ Completed/);
  });
});
