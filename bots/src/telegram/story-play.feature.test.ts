import { afterEach, describe, expect, it } from 'vitest';
import type { Update, UserFromGetMe } from 'grammy/types';
import { JobTracker } from '../shared/job-tracker.js';
import { silentLogger } from '../shared/logger.js';
import { StoryHandler } from '../shared/story.handler.js';
import type { StorySummary } from '../shared/story-client.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { FakeStoryApi, type FakeStoryReply } from '../testing/fake-story-api.js';
import {
  callbackQueryUpdate,
  startFakeTelegramBotApi,
  textMessageUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
} from '../testing/fake-telegram-bot-api.js';
import { createTelegramBot } from './create-telegram-bot.js';
import { PRIVACY_MODE_HINT } from './features/story.feature.js';

const GROUP = -1002000000077;
const AIKO = { id: 5001, first_name: 'Aiko', username: 'aiko' };
const BEN = { id: 5002, first_name: 'Ben', username: 'ben' };
const inn: StorySummary = {
  id: 's1',
  title: 'Inn',
  intro: 'A snowed-in inn on the mountain pass.\nThe fire is low and the door keeps rattling.',
  characters: [
    { id: 'a', name: 'Mira', imageUrl: null, type: 'character' },
    { id: 'b', name: 'Tobin', imageUrl: null, type: 'character' },
  ],
};
const lighthouse: StorySummary = {
  id: 's2',
  title: 'Lighthouse',
  intro: '',
  characters: [{ id: 'k', name: 'Keeper', imageUrl: null, type: 'narrator' }],
};

/**
 * Story play as members see it on Telegram (issue 15): formatted, threaded replies; regenerate in
 * place with ◀ ▶ versions; only the starter ends; the privacy-mode hint; the story list.
 */
describe('Telegram story play (grammY against a fake Bot API, a fake story server)', () => {
  let telegram: FakeTelegramBotApi;
  let stories: FakeStoryApi;
  let updateId = 1;
  /** The id of the member's last message (what the characters' replies are threaded to). */
  let memberMessageId = 0;

  afterEach(async () => {
    await telegram?.close();
  });

  async function setUp(options: { replies?: FakeStoryReply[]; botInfo?: Partial<UserFromGetMe> } = {}) {
    telegram = await startFakeTelegramBotApi({ botInfo: options.botInfo });
    stories = new FakeStoryApi({
      stories: [inn, lighthouse],
      replies: options.replies ?? [{ id: 'b', name: 'Tobin', text: 'Aye.' }],
      wordDelayMs: 1,
    });
    const jobs = new JobTracker();
    const bot = createTelegramBot(
      '123456:STORY-play',
      {
        dreamloom: new FakeDreamloomClient(),
        logger: silentLogger,
        editIntervalMs: 0,
        jobs,
        story: new StoryHandler({ api: stories, logger: silentLogger, editIntervalMs: 0 }),
      },
      { botInfo: telegram.botInfo, client: { apiRoot: telegram.apiRoot } },
    );
    const run = async (update: Update) => {
      await bot.handleUpdate(update);
      await jobs.idle();
    };
    return {
      say: (text: string, from = AIKO) => {
        memberMessageId = 900 + updateId;
        return run(
          textMessageUpdate({ updateId: updateId++, text, chatId: GROUP, from, messageId: memberMessageId }),
        );
      },
      press: (data: string, messageId: number, from = AIKO) =>
        run(callbackQueryUpdate({ updateId: updateId++, data, messageId, chatId: GROUP, from })),
    };
  }

  const sent = () => telegram.callsTo('sendMessage');
  const lastSent = (): TelegramApiCall => sent().at(-1)!;
  const characterMessages = () => sent().filter((call) => String(call.params.text).startsWith('🎭'));
  /** The fake numbers the messages it sends from 1000, in order (only texts are sent here). */
  const lastCharacterMessageId = () => 1000 + sent().lastIndexOf(characterMessages().at(-1)!);
  const keyboardOf = (call: TelegramApiCall) =>
    (call.params.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> })
      ?.inline_keyboard ?? [];

  it('renders *actions* in italics and escapes everything else, threaded to the member who spoke', async () => {
    const { say } = await setUp({
      replies: [{ id: 'b', name: 'Tobin', text: 'Aye. *raises a mug* <b>cheers</b> & **loud** 2*3' }],
    });
    await say('/story start 1');
    await say('Evening, all.');
    const reply = characterMessages().at(-1)!;
    expect(reply.params.parse_mode).toBe('HTML');
    // The member's message is the one the character answers.
    expect(reply.params.reply_parameters).toEqual({
      message_id: memberMessageId,
      allow_sending_without_reply: true,
    });
    const finalText = telegram.textOf(GROUP, lastCharacterMessageId());
    expect(finalText).toBe(
      '🎭 Tobin\nAye. <i>raises a mug</i> &lt;b&gt;cheers&lt;/b&gt; &amp; <b>loud</b> 2*3',
    );
    const edits = telegram.callsTo('editMessageText');
    expect(edits.every((edit) => edit.params.parse_mode === 'HTML')).toBe(true);
    // "typing…" in the group while the reply was being written, sent before the reply appeared.
    const typing = telegram.callsTo('sendChatAction');
    expect(typing.some((call) => call.params.chat_id === GROUP && call.params.action === 'typing')).toBe(
      true,
    );
    expect(typing[0].at).toBeLessThanOrEqual(reply.at);
  });

  it('regenerates in the same message and brings back the earlier version with ◀', async () => {
    const { say, press } = await setUp();
    await say('/story start Inn');
    await say('Evening, all.');
    const replyId = lastCharacterMessageId();
    expect(telegram.textOf(GROUP, replyId)).toBe('🎭 Tobin\nAye.');
    const sentBefore = sent().length;

    stories.regenerations.push('Good evening to you, stranger.');
    await say('/story regenerate');
    // Not a second message: the reply itself was rewritten, with ◀ 2/2 under it.
    expect(sent()).toHaveLength(sentBefore);
    expect(telegram.textOf(GROUP, replyId)).toBe('🎭 Tobin\nGood evening to you, stranger.');
    const regenerated = telegram.callsTo('editMessageText').at(-1)!;
    expect(regenerated.params.message_id).toBe(replyId);
    const keyboard = keyboardOf(regenerated);
    expect(keyboard.map((row) => row.map((b) => b.text))).toEqual([['◀', '2/2']]);

    // Any player may browse; ◀ shows the first version again and the server goes on from it.
    await press(keyboard[0][0].callback_data, replyId, BEN);
    expect(telegram.textOf(GROUP, replyId)).toBe('🎭 Tobin\nAye.');
    expect(keyboardOf(telegram.callsTo('editMessageText').at(-1)!).map((r) => r.map((b) => b.text))).toEqual([
      ['1/2', '▶'],
    ]);
    const stored = stories.messages.find((m) => m.role === 'assistant' && m.characterName === 'Tobin')!;
    expect(stored.content).toBe('Aye.');
    expect(stored.swipes).toEqual(['Good evening to you, stranger.']);
    expect(telegram.callsTo('answerCallbackQuery').at(-1)!.params.text).toBe('Version 1 of 2');

    // A third take joins the versions; ▶ from the first goes to the second.
    stories.regenerations.push('Shut the door, the snow gets in.');
    await say('/story regenerate');
    expect(telegram.textOf(GROUP, replyId)).toBe('🎭 Tobin\nShut the door, the snow gets in.');
    const three = keyboardOf(telegram.callsTo('editMessageText').at(-1)!);
    expect(three.map((row) => row.map((b) => b.text))).toEqual([['◀', '3/3']]);
    await press(`st:sw:${stored.id}:1`, replyId);
    expect(telegram.textOf(GROUP, replyId)).toBe('🎭 Tobin\nGood evening to you, stranger.');
    expect(stored.content).toBe('Good evening to you, stranger.');
    // Through it all, nothing new was posted.
    expect(sent()).toHaveLength(sentBefore);
  });

  it('refuses a non-starter’s /story end at once, and the story goes on; a group admin may end it', async () => {
    const { say } = await setUp();
    await say('/story start Inn');
    const started = Date.now();
    await say('/story end', BEN);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lastSent().params.text).toBe('❌ Only the member who started this story, or staff, can end it');
    // Threaded to Ben's command, so the refusal reads as an answer to him.
    expect((lastSent().params.reply_parameters as { message_id: number }).message_id).toBe(memberMessageId);

    await say('Still here?', BEN);
    expect(stories.turns.map((turn) => turn.content)).toEqual(['Still here?']);
    // A group admin moderates: they may end it too.
    telegram.makeAdmin(GROUP, BEN.id);
    await say('/story end', BEN);
    expect(lastSent().params.text).toBe('The story Inn has ended.');
  });

  it('tells group admins about privacy mode only when ordinary messages cannot reach the bot', async () => {
    const hidden = await setUp();
    await hidden.say('/story start Inn');
    expect(sent().map((call) => call.params.text)).toContain(PRIVACY_MODE_HINT);
    expect(PRIVACY_MODE_HINT).toContain('@BotFather');
    expect(PRIVACY_MODE_HINT).toContain('/story say');
    // Meanwhile members can speak with /story say.
    await hidden.say('/story say Hello there');
    expect(stories.turns.map((turn) => turn.content)).toEqual(['Hello there']);
    await telegram.close();

    const reading = await setUp({ botInfo: { can_read_all_group_messages: true } });
    await reading.say('/story start Inn');
    expect(sent().map((call) => call.params.text)).not.toContain(PRIVACY_MODE_HINT);
    await telegram.close();

    const admin = await setUp();
    telegram.makeBotAdmin(GROUP);
    await admin.say('/story start Inn');
    expect(sent().map((call) => call.params.text)).not.toContain(PRIVACY_MODE_HINT);
  });

  it('lists the stories with their intro and cast', async () => {
    const { say } = await setUp();
    await say('/story list');
    expect(lastSent().params.text).toBe(
      [
        'Stories — /story start <number> starts one here:',
        '',
        '1. Inn',
        'A snowed-in inn on the mountain pass. The fire is low and the door keeps rattling.',
        'Cast: Mira, Tobin',
        '',
        '2. Lighthouse',
        'Cast: Keeper',
      ].join('\n'),
    );
  });
});
