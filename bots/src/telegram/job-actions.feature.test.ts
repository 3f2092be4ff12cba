import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  callbackQueryUpdate,
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
} from '../testing/fake-telegram-bot-api.js';
import { solidPng } from '../testing/png.js';
import { createTelegramBot } from './create-telegram-bot.js';

const TOKEN = '123456:TEST-token';
const png = solidPng(8, 8);
const media = { 'http://media.test/one.png': { bytes: png, contentType: 'image/png', filename: 'one.png' } };
const done: FakeDreamloomClientOptions['script'] = [
  { status: 'processing', progress: 50 },
  { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
];

type Keyboard = { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> };
const buttonsOf = (call: TelegramApiCall) =>
  ((call.params.reply_markup as Keyboard | undefined)?.inline_keyboard ?? []).flat();

describe('Telegram job card buttons', () => {
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

  function botWith(options: FakeDreamloomClientOptions, jobTimeoutMs?: number) {
    const dreamloom = new FakeDreamloomClient({ media, ...options });
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs, jobTimeoutMs },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    return { bot, dreamloom };
  }

  async function until(check: () => boolean) {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  }

  it('rerolls a finished job on the server, from a restarted bot, as a new card', async () => {
    const { bot: first, dreamloom } = botWith({ script: done, stepDelayMs: 10 });
    await first.handleUpdate(
      textMessageUpdate({ updateId: updateId++, text: '/imagine a lighthouse at dawn' }),
    );
    await jobs.idle();

    const final = api.calls.at(-1)!;
    const [reroll, vary, upscale] = buttonsOf(final);
    expect(reroll).toEqual({ text: '🔁 Reroll', callback_data: `dl:reroll:${dreamloom.created[0].taskId}` });
    expect(vary).toEqual({ text: '🔀 Vary', callback_data: `dl:variation:${dreamloom.created[0].taskId}:0` });
    // The server offered no upscale for this generation, so the card has none.
    expect(upscale).toBeUndefined();

    // A new bot process on the same server: nothing about the job lives in the bot any more.
    const bot = createTelegramBot(
      TOKEN,
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    await bot.handleUpdate(
      callbackQueryUpdate({
        updateId: updateId++,
        data: reroll.callback_data,
        messageId: Number(final.params.message_id),
      }),
    );
    await jobs.idle();

    expect(api.callsTo('answerCallbackQuery')[0].params).toMatchObject({ text: 'Rerolling…' });
    expect(dreamloom.actions).toHaveLength(1);
    expect(dreamloom.actions[0]).toMatchObject({
      from: { action: 'reroll', taskId: dreamloom.created[0].taskId },
      prompt: 'a lighthouse at dawn',
    });
    const rerolled = dreamloom.actions[0].taskId;
    expect(rerolled).not.toBe(dreamloom.created[0].taskId);
    // A second card (a new message replying to the first card), and a second photo.
    const cards = api.callsTo('sendMessage');
    expect(cards).toHaveLength(2);
    expect(cards[1].params.reply_parameters).toMatchObject({ message_id: Number(final.params.message_id) });
    expect(api.callsTo('sendPhoto')).toHaveLength(2);
    const last = api.calls.at(-1)!;
    expect(String(last.params.text)).toContain('✅ Completed');
    expect(buttonsOf(last)[0].callback_data).toBe(`dl:reroll:${rerolled}`);
  });

  it('offers V1…V4 and U1…U4 rows under a grid; a variation and an upscale each get a new card', async () => {
    const grid = [1, 2, 3, 4].map((n) => `http://media.test/${n}.png`);
    const { bot, dreamloom } = botWith({
      script: [{ status: 'completed', outputs: grid.map((url) => ({ url })) }],
      media: Object.fromEntries(grid.map((url) => [url, media['http://media.test/one.png']])),
      imageActions: ['reroll', 'variation', 'upscale'],
    });
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text: '/imagine four moons' }));
    await jobs.idle();
    const final = api.callsTo('editMessageText').at(-1)!;
    const rows = (final.params.reply_markup as Keyboard).inline_keyboard;
    const original = dreamloom.created[0].taskId;
    expect(rows.map((row) => row.map((b) => b.text))).toEqual([
      ['🔁 Reroll'],
      ['V1', 'V2', 'V3', 'V4'],
      ['U1', 'U2', 'U3', 'U4'],
    ]);
    expect(rows[2][3].callback_data).toBe(`dl:upscale:${original}:3`);
    expect(rows.flat().every((b) => Buffer.byteLength(b.callback_data) <= 64)).toBe(true);

    for (const data of [rows[1][2].callback_data, rows[2][3].callback_data]) {
      await bot.handleUpdate(callbackQueryUpdate({ updateId: updateId++, data, messageId: 1000 }));
    }
    await jobs.idle();
    expect(dreamloom.actions.map((a) => a.from)).toEqual([
      { action: 'variation', taskId: original, imageIndex: 2 },
      { action: 'upscale', taskId: original, imageIndex: 3 },
    ]);
    expect(api.callsTo('answerCallbackQuery').map((c) => c.params.text)).toEqual([
      'Making a variation…',
      'Upscaling…',
    ]);
    // Two new cards besides the first, each finishing with its own images and saying which
    // action on which image started it.
    const cards = api.callsTo('sendMessage');
    expect(cards).toHaveLength(3);
    expect(String(cards[1].params.text)).toContain(
      `From: Variation of image 3 (task ${original.slice(0, 8)})`,
    );
    expect(String(cards[2].params.text)).toContain(
      `From: Upscale (4K) of image 4 (task ${original.slice(0, 8)})`,
    );
  });

  it('cancels a queued job from its card; the card ends cancelled without a cancel button', async () => {
    const { bot, dreamloom } = botWith({ script: [{ status: 'pending', queuePosition: 4, creditsUsed: 2 }] });
    await bot.handleUpdate(
      textMessageUpdate({ updateId: updateId++, text: '/imagine a crowded night market' }),
    );
    await until(() =>
      api.calls.some((c) => buttonsOf(c).some((b) => b.callback_data.startsWith('dl:cancel:'))),
    );
    const queued = api.calls.findLast((c) => buttonsOf(c).length > 0)!;
    expect(String(queued.params.text)).toContain('🕒 Queued');
    const [cancel] = buttonsOf(queued);
    expect(cancel).toEqual({ text: '✖ Cancel', callback_data: `dl:cancel:${dreamloom.created[0].taskId}` });

    await bot.handleUpdate(
      callbackQueryUpdate({ updateId: updateId++, data: cancel.callback_data, messageId: 1000 }),
    );
    await jobs.idle();

    expect(dreamloom.cancelled).toEqual([
      { user: { platform: 'telegram', id: '424242', username: 'mika' }, taskId: dreamloom.created[0].taskId },
    ]);
    expect(api.callsTo('answerCallbackQuery')[0].params).toMatchObject({
      text: 'Cancelled — 2 MC refunded.',
      show_alert: false,
    });
    const last = api.callsTo('editMessageText').at(-1)!;
    expect(String(last.params.text)).toMatch(/^🚫 Cancelled\nPrompt: a crowded night market\n/);
    expect(String(last.params.text)).toContain('\nStatus: Cancelled — 2 MC refunded');
    expect(String(last.params.text)).not.toContain('Error');
    expect(buttonsOf(last).map((b) => b.text)).toEqual(['🔁 Reroll']);
  });

  it("tells only the presser when they may not cancel someone else's job", async () => {
    const { bot, dreamloom } = botWith(
      {
        script: [{ status: 'pending', queuePosition: 1 }],
        cancelError: new DreamloomApiError('TASK_NOT_FOUND', 'Generation not found', 404),
      },
      300,
    );
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text: '/imagine a quiet library' }));
    await until(() => dreamloom.created.length === 1);
    await bot.handleUpdate(
      callbackQueryUpdate({
        updateId: updateId++,
        data: `dl:cancel:${dreamloom.created[0].taskId}`,
        messageId: 1000,
        from: { id: 515151, first_name: 'Other' },
      }),
    );
    await jobs.idle();
    expect(api.callsTo('answerCallbackQuery')[0].params).toMatchObject({
      text: 'Only the member who started this job can cancel it.',
      show_alert: true,
    });
  });

  it("refuses a reroll of someone else's job with an alert only the presser sees", async () => {
    const { bot, dreamloom } = botWith({ script: done });
    await bot.handleUpdate(textMessageUpdate({ updateId: updateId++, text: '/imagine a quiet library' }));
    await jobs.idle();
    await bot.handleUpdate(
      callbackQueryUpdate({
        updateId: updateId++,
        data: `dl:reroll:${dreamloom.created[0].taskId}`,
        messageId: 7,
        from: { id: 515151, first_name: 'Other' },
      }),
    );
    await jobs.idle();
    expect(dreamloom.actions).toHaveLength(0);
    expect(api.callsTo('answerCallbackQuery')[0].params).toMatchObject({
      text: 'Only the member who started this job can use its buttons.',
      show_alert: true,
    });
    expect(api.callsTo('sendMessage')).toHaveLength(1);
  });
});
