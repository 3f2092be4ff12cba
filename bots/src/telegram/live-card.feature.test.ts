import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from '../testing/fake-telegram-bot-api.js';
import { solidPng } from '../testing/png.js';
import { createTelegramBot } from './create-telegram-bot.js';

const TOKEN = '123456:TEST-token';
const GROUP = -100555;
const media = {
  'http://media.test/one.png': { bytes: solidPng(4, 4), contentType: 'image/png', filename: 'one.png' },
};

describe('Telegram live cards (grammY against a fake Bot API)', () => {
  let api: FakeTelegramBotApi;
  let jobs: JobTracker;

  beforeEach(async () => {
    api = await startFakeTelegramBotApi();
    jobs = new JobTracker();
  });
  afterEach(async () => {
    await api.close();
  });

  it('shows "sending a photo…" while jobs run, one per interval for the chat, before the photos', async () => {
    const dreamloom = new FakeDreamloomClient({
      media,
      script: [
        { status: 'processing', progress: 20, message: 'kie: generating' },
        { status: 'processing', progress: 50 },
        { status: 'processing', progress: 80, message: 'kie: success' },
        { status: 'completed', outputs: [{ url: 'http://media.test/one.png' }] },
      ],
      stepDelayMs: 150,
      status: { status: 'completed', creditsUsed: 1 },
    });
    const bot = createTelegramBot(
      TOKEN,
      {
        dreamloom,
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        cardTickMs: 50,
        // Longer than the jobs: exactly one chat action for the chat (repeats: live-card.handler.test).
        chatActionIntervalMs: 10_000,
      },
      { botInfo: api.botInfo, client: { apiRoot: api.apiRoot } },
    );
    // Three members start at once in one group.
    await Promise.all(
      [1, 2, 3].map((n) =>
        bot.handleUpdate(
          textMessageUpdate({
            updateId: n,
            text: `/imagine clouds ${n}`,
            chatId: GROUP,
            from: { id: 600 + n, first_name: `M${n}` },
          }),
        ),
      ),
    );
    await jobs.idle();

    const actions = api.callsTo('sendChatAction');
    // Paced per chat, not per job: three jobs asking every 50 ms, one chat action.
    expect(actions).toHaveLength(1);
    expect(
      actions.every((call) => call.params.chat_id === GROUP && call.params.action === 'upload_photo'),
    ).toBe(true);
    const lastPhoto = Math.max(...api.callsTo('sendPhoto').map((call) => call.at));
    expect(actions.every((call) => call.at < lastPhoto)).toBe(true);

    // The running cards said what the provider is doing and for how long.
    const texts = api.callsTo('editMessageText').map((call) => String(call.params.text));
    expect(texts.some((text) => /Status: Generating — rendering the video · \d+ s/.test(text))).toBe(true);
    expect(texts.some((text) => /Status: Generating — finishing · \d+ s/.test(text))).toBe(true);
  });
});
