import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { SHOW_USAGE } from '../shared/show.handler.js';
import { FakeDreamloomClient, type FakeDreamloomClientOptions } from '../testing/fake-dreamloom-client.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from '../testing/fake-telegram-bot-api.js';
import { solidPng } from '../testing/png.js';
import { createTelegramBot } from './create-telegram-bot.js';

const MIKA = { platform: 'telegram' as const, id: '424242' };
const CRANE = 'a1b2c3d4-0000-4000-8000-000000000001';
const CRANE_TWIN = 'a1b2c3ff-0000-4000-8000-000000000002';
const THEIRS = 'b7e8f9a0-0000-4000-8000-000000000003';
const PNG = { bytes: solidPng(4, 4), contentType: 'image/png', filename: 'crane.png' };

/** `/show <short id>` on Telegram (issue 15): the card again with its media and buttons. */
describe('Telegram /show (grammY against a fake Bot API)', () => {
  let telegram: FakeTelegramBotApi;
  let updateId = 1;

  beforeEach(async () => {
    telegram = await startFakeTelegramBotApi();
  });
  afterEach(async () => {
    await telegram.close();
  });

  function bot(options: FakeDreamloomClientOptions = {}) {
    const dreamloom = new FakeDreamloomClient({
      status: { status: 'completed', creditsUsed: 5, outputs: [{ url: 'http://media.test/crane.png' }] },
      media: { 'http://media.test/crane.png': PNG },
      ...options,
    });
    const own = (taskId: string, prompt: string, owner = MIKA) =>
      dreamloom.generations.set(taskId, { taskId, owner, kind: 'image', prompt, input: { prompt } });
    own(CRANE, 'a paper crane');
    own(CRANE_TWIN, 'a paper boat');
    own(THEIRS, 'someone else’s fox', { platform: 'telegram', id: '999' });
    const jobs = new JobTracker();
    const instance = createTelegramBot(
      '123456:SHOW-token',
      { dreamloom, logger: silentLogger, editIntervalMs: 0, jobs },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    const send = async (text: string) => {
      await instance.handleUpdate(textMessageUpdate({ updateId: updateId++, text, messageId: 77 }));
      await jobs.idle();
    };
    return { dreamloom, send };
  }
  const texts = () => telegram.callsTo('sendMessage').map((call) => String(call.params.text));

  it('brings back the card of a short id: the photo, then the card with its buttons', async () => {
    const { send, dreamloom } = bot();
    await send('/show A1B2C3D4');
    expect(dreamloom.finds).toEqual(['a1b2c3d4']);

    const [photo] = telegram.callsTo('sendPhoto');
    expect(photo.params.caption).toBe('🎨 a paper crane');
    expect(photo.params.reply_parameters).toEqual({ message_id: 77, allow_sending_without_reply: true });
    expect(photo.uploads[0].bytes.equals(Buffer.from(PNG.bytes))).toBe(true);

    const card = telegram.callsTo('sendMessage').at(-1)!;
    expect(String(card.params.text)).toBe(
      [
        '✅ Completed',
        'Prompt: a paper crane',
        'Status: Completed',
        'Images: 1',
        'Credits: 5',
        'ID a1b2c3d4 · /show a1b2c3d4',
      ].join('\n'),
    );
    const keyboard = (
      card.params.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard;
    expect(keyboard).toEqual([
      [{ text: '🔁 Reroll', callback_data: `dl:reroll:${CRANE}` }],
      [{ text: '🔀 Vary', callback_data: `dl:variation:${CRANE}:0` }],
    ]);
  });

  it('lists an ambiguous short id, and finds nothing for another member’s id or nonsense', async () => {
    const { send } = bot();
    await send('/show a1b2c3');
    expect(texts().at(-1)).toBe(
      [
        '❌ a1b2c3 matches 2 of your generations; type more of the id:',
        '• a1b2c3ff · image · a paper boat',
        '• a1b2c3d4 · image · a paper crane',
      ].join('\n'),
    );
    // The full id of one of them is never ambiguous.
    await send(`/show ${CRANE_TWIN}`);
    expect(telegram.callsTo('sendPhoto')).toHaveLength(1);

    await send('/show b7e8f9a0');
    expect(texts().at(-1)).toBe(
      '❌ None of your generations has an id starting with b7e8f9a0. /history lists yours with their ids.',
    );
    await send('/show nonsense');
    expect(texts().at(-1)).toBe(`❌ ${SHOW_USAGE}`);
    // No second photo: nothing of the other member's generation was shown.
    expect(telegram.callsTo('sendPhoto')).toHaveLength(1);
  });

  it('follows a generation still running, with its cancel button, to its end', async () => {
    const { send } = bot({
      status: { status: 'processing', progress: 40 },
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/crane.png' }] }],
      stepDelayMs: 20,
    });
    await send('/show a1b2c3d4');
    const first = telegram.callsTo('sendMessage')[0];
    expect(String(first.params.text)).toContain('🎨 Generating');
    expect(JSON.stringify(first.params.reply_markup)).toContain(`dl:cancel:${CRANE}`);
    expect(telegram.callsTo('sendPhoto')).toHaveLength(1);
  });
});
