import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { DreamloomApiError } from '../shared/dreamloom-client.js';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { StoryHandler } from '../shared/story.handler.js';
import type { StorySummary } from '../shared/story-client.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { FakeStoryApi } from '../testing/fake-story-api.js';
import {
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
} from '../testing/fake-telegram-bot-api.js';
import { createTelegramBot } from './create-telegram-bot.js';
import { PRIVACY_MODE_HINT } from './features/story.feature.js';

const TOKEN = '123456:STORY-token';
const GROUP = -1002000000001;
const story: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: '',
  characters: [
    { id: 'a', name: 'Mira', imageUrl: null, type: 'character' },
    { id: 'b', name: 'Tobin', imageUrl: null, type: 'character' },
  ],
};

describe('Telegram /story (grammY against a fake Bot API, a fake story server)', () => {
  let telegram: FakeTelegramBotApi;
  let stories: FakeStoryApi;
  let updateId = 1;

  beforeEach(async () => {
    telegram = await startFakeTelegramBotApi();
    stories = new FakeStoryApi({ stories: [story], replies: [{ id: 'b', name: 'Tobin', text: 'Aye.' }] });
  });
  afterEach(async () => {
    await telegram.close();
  });

  /** One bot process: its own handler and memory, the shared story server. */
  function botProcess() {
    const jobs = new JobTracker();
    const bot = createTelegramBot(
      TOKEN,
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        story: new StoryHandler({ api: stories, logger: silentLogger, editIntervalMs: 0 }),
      },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    return async (text: string, topic?: number) => {
      const update = textMessageUpdate({ updateId: updateId++, text, chatId: GROUP }) as Update & {
        message: Record<string, unknown> & { chat: Record<string, unknown> };
      };
      if (topic) Object.assign(update.message, { message_thread_id: topic, is_topic_message: true });
      if (topic) update.message.chat.is_forum = true;
      await bot.handleUpdate(update);
      await jobs.idle();
    };
  }
  const texts = () => telegram.callsTo('sendMessage').map((call) => String(call.params.text));

  it('a restarted bot plays on; a second start waits for the end; a refused end is explained', async () => {
    await botProcess()('/story start 1');
    expect(texts()).toEqual([
      '📖 Inn begins. Talk to the characters; /story end stops it.',
      '🎭 Mira\nWelcome.',
      PRIVACY_MODE_HINT,
    ]);

    const restarted = botProcess();
    await restarted('Evening, all.');
    // Posted as a placeholder, then edited to the streamed reply.
    expect(texts().at(-1)).toBe('🎭 Tobin\n…');
    expect(String(telegram.callsTo('editMessageText').at(-1)!.params.text)).toBe('🎭 Tobin\nAye.');
    expect(stories.turns).toEqual([{ conversationId: 'c1', content: 'Evening, all.' }]);

    await restarted('/story start 1');
    expect(texts().at(-1)).toBe('Inn is running here; /story end stops it first.');
    expect(stories.calls.get('bind')).toBe(1);

    stories.endBinding = async () => {
      throw new DreamloomApiError('HTTP_403', 'Not a participant of this conversation', 403);
    };
    await restarted('/story end');
    expect(texts().at(-1)).toBe('❌ Not a participant of this conversation');
  });

  it('plays one story per forum topic', async () => {
    const say = botProcess();
    await say('/story start Inn', 7);
    await say('Anyone in topic 8?', 8);
    await say('Hello topic 7', 7);
    const user = { platform: 'telegram' as const, id: '424242' };
    expect((await stories.findBinding(user, `${GROUP}:7`))?.conversationId).toBe('c1');
    expect(await stories.findBinding(user, `${GROUP}:8`)).toBeNull();
    expect(stories.turns).toEqual([{ conversationId: 'c1', content: 'Hello topic 7' }]);
    const characterMessages = telegram
      .callsTo('sendMessage')
      .filter((call) => String(call.params.text).startsWith('🎭'));
    expect(characterMessages.map((call) => call.params.message_thread_id)).toEqual([7, 7]);
  });
});
