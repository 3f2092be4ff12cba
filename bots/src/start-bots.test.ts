import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { silentLogger } from './shared/logger.js';
import { startBots } from './start-bots.js';
import { startFakeTelegramBotApi, type FakeTelegramBotApi } from './testing/fake-telegram-bot-api.js';

/**
 * Communities that send large files run their own Bot API server (tdlib/telegram-bot-api):
 * TELEGRAM_API_ROOT points the whole Telegram bot at it — start-up, commands and polling.
 */
describe('startBots with TELEGRAM_API_ROOT', () => {
  let telegram: FakeTelegramBotApi;
  beforeAll(async () => {
    telegram = await startFakeTelegramBotApi();
  });
  afterAll(async () => {
    await telegram.close();
  });

  it('talks to the configured Bot API server only', async () => {
    const token = '123456:self-hosted-root-token';
    const config = loadConfig({
      BOT_API_TOKEN: 'bot-credential-for-tests',
      DREAMLOOM_API_URL: 'http://127.0.0.1:9',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: `${telegram.apiRoot}/`,
    });
    expect(config.telegram?.apiRoot).toBe(telegram.apiRoot);
    const bots = await startBots(config, silentLogger);
    try {
      const deadline = Date.now() + 5_000;
      while (telegram.callsTo('getUpdates').length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      for (const method of ['getMe', 'setMyCommands', 'getUpdates'])
        expect(telegram.callsTo(method).length, method).toBeGreaterThan(0);
      expect(new Set(telegram.calls.map((call) => call.token))).toEqual(new Set([token]));
      // The command menu in English for everyone and in Chinese for Chinese Telegram apps.
      const [english, chinese] = telegram.callsTo('setMyCommands').map((call) => call.params);
      type Menu = Array<{ command: string; description: string }>;
      expect(english.language_code).toBeUndefined();
      expect((english.commands as Menu).find((c) => c.command === 'imagine')?.description).toBe(
        'Generate an anime image from a prompt',
      );
      expect(chinese.language_code).toBe('zh');
      expect((chinese.commands as Menu).map((c) => c.command)).toEqual(
        (english.commands as Menu).map((c) => c.command),
      );
      expect((chinese.commands as Menu).find((c) => c.command === 'imagine')?.description).toBe(
        '根据提示词生成动漫图片',
      );
      // Every line is translated (CJK in each description).
      expect((chinese.commands as Menu).filter((c) => !/\p{Script=Han}/u.test(c.description))).toEqual([]);
    } finally {
      await bots.stop();
    }
  });
});
