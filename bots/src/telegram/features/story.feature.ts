import { Composer, GrammyError, type Api, type Context } from 'grammy';
import { DreamloomApiError, type PlatformUser } from '../../shared/dreamloom-client.js';
import type { StoryCharacter } from '../../shared/story-client.js';
import { storyListText } from '../../shared/story-list.js';
import type {
  CharacterMessage,
  StoryHandler,
  StorySurface,
  SwipeControls,
} from '../../shared/story.handler.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';
import { characterText, parseSwipeData, swipeKeyboard } from '../story-html.js';

export { characterText } from '../story-html.js';

export const storyCommand = {
  command: 'story',
  description: 'Play a story: list, start <n>, say, regenerate, end',
};

export const STORY_USAGE = [
  'Story commands:',
  '/story list — the published stories, with their intro and cast',
  '/story start <number or title> — start one here',
  '/story say <text> — speak to the characters',
  '/story regenerate — write the last reply again (◀ ▶ under it bring back earlier versions)',
  '/story end — stop the story (who started it, or staff)',
  'While a story runs, just talk (or reply to a character): the characters answer.',
].join('\n');

/**
 * Telegram's privacy mode (on for most bots) hides ordinary group messages from the bot: only
 * commands, replies to its own messages and mentions reach it. Shown to the group once a story
 * starts, when the bot can neither read everything nor is an admin.
 */
export const PRIVACY_MODE_HINT = [
  'ℹ️ For the admins of this group: Telegram privacy mode hides ordinary group messages from this bot, so the characters cannot hear members who just talk.',
  'To fix it, make the bot an admin of this group, or turn privacy mode off in @BotFather (/setprivacy → Disable), then remove the bot and add it again.',
  'Until then, members can reply to a character’s message or write /story say <text>.',
].join('\n');

/** One bot, many characters: a message per reply, edited as tokens arrive, threaded to who spoke. */
export class TelegramStorySurface implements StorySurface {
  constructor(
    private readonly api: Api,
    private readonly chatId: number,
    private readonly threadId?: number,
    /** The member's message the characters answer (their replies are threaded to it). */
    private readonly replyTo?: number,
  ) {}

  async post(character: StoryCharacter, text: string): Promise<CharacterMessage> {
    const sent = await this.api.sendMessage(this.chatId, characterText(character.name, text), {
      parse_mode: 'HTML',
      ...(this.threadId ? { message_thread_id: this.threadId } : {}),
      ...(this.replyTo
        ? { reply_parameters: { message_id: this.replyTo, allow_sending_without_reply: true } }
        : {}),
      link_preview_options: { is_disabled: true },
    });
    return {
      edit: (next, swipes) =>
        editCharacterMessage(this.api, this.chatId, sent.message_id, character.name, next, swipes),
    };
  }
  /** "typing…" in the chat (its topic, in forum groups) while a character's reply is written. */
  async showTyping(): Promise<void> {
    await this.api.sendChatAction(this.chatId, 'typing', {
      ...(this.threadId ? { message_thread_id: this.threadId } : {}),
    });
  }
}

/** Rewrites a character's message (streamed text, a regenerated or swiped version) with its controls. */
async function editCharacterMessage(
  api: Api,
  chatId: number,
  messageId: number,
  name: string,
  text: string,
  swipes?: SwipeControls,
): Promise<void> {
  try {
    await api.editMessageText(chatId, messageId, characterText(name, text), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: swipeKeyboard(swipes),
    });
  } catch (error) {
    // The final edit may repeat the last streamed text; Telegram refuses a no-op edit.
    if (error instanceof GrammyError && /message is not modified/.test(error.description)) return;
    throw error;
  }
}

export interface StoryFeatureDeps {
  handler: StoryHandler;
  runInBackground: BackgroundRunner;
}

const userOf = (ctx: Context): PlatformUser | undefined =>
  ctx.from && {
    platform: 'telegram',
    id: String(ctx.from.id),
    username: ctx.from.username ?? [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' '),
  };

/** A story runs per chat, and per forum topic where the group has them. */
const placeOf = (ctx: Context) => {
  const message = ctx.msg ?? ctx.callbackQuery?.message;
  const topic =
    message && 'is_topic_message' in message && message.is_topic_message
      ? message.message_thread_id
      : undefined;
  return { key: `${ctx.chat!.id}:${topic ?? ''}`, topic };
};

const isGroup = (ctx: Context) => ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';

/** Whether a user administers the group (false when Telegram cannot tell). */
async function isChatAdmin(ctx: Context, userId: number): Promise<boolean> {
  try {
    const member = await ctx.api.getChatMember(ctx.chat!.id, userId);
    return member.status === 'administrator' || member.status === 'creator';
  } catch {
    return false;
  }
}

/** Whether ordinary group messages reach the bot: privacy mode off, or the bot is an admin. */
async function readsGroupMessages(ctx: Context): Promise<boolean> {
  // Unknown reads as "no": the hint costs one message, a silent story costs the whole scene.
  return ctx.me.can_read_all_group_messages || isChatAdmin(ctx, ctx.me.id);
}

/** `/story …` and the conversation itself, in private chats, groups and forum topics. */
export function createStoryFeature(deps: StoryFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();
  const { handler } = deps;

  feature.command(storyCommand.command, async (ctx) => {
    const user = userOf(ctx);
    if (!user || !ctx.chat) return;
    const [sub = '', ...rest] = ctx.match.trim().split(/\s+/);
    const place = placeOf(ctx);
    // Replies to a command are threaded to it: in a busy group the member sees what was answered.
    const replyParameters = { message_id: ctx.msg!.message_id, allow_sending_without_reply: true };
    const reply = (text: string) =>
      ctx
        .reply(text, {
          ...(place.topic ? { message_thread_id: place.topic } : {}),
          reply_parameters: replyParameters,
        })
        .then(() => undefined);
    const surface = new TelegramStorySurface(ctx.api, ctx.chat.id, place.topic, ctx.msg!.message_id);
    switch (sub.toLowerCase()) {
      case 'list': {
        const stories = await handler.list(user);
        await reply(storyListText(stories, { maxLength: 4096, startCommand: '/story start' }));
        return;
      }
      case 'start': {
        const story = await handler.find(user, rest.join(' '));
        if (!story) return reply('No such story; /story list shows them.');
        const running = await handler.session(user, place.key);
        if (running) return reply(`${running.story.title} is running here; /story end stops it first.`);
        await reply(`📖 ${story.title} begins. Talk to the characters; /story end stops it.`);
        deps.runInBackground(ctx, async () => {
          try {
            await handler.start(user, place.key, story, surface);
          } catch (error) {
            // Another bot process started a story here a moment ago: say so instead of failing.
            if (!(error instanceof DreamloomApiError && error.status === 409)) throw error;
            await reply(`${error.message}; /story end stops it first.`);
            return;
          }
          if (isGroup(ctx) && !(await readsGroupMessages(ctx))) await reply(PRIVACY_MODE_HINT);
        });
        return;
      }
      case 'say': {
        const text = ctx.match.trim().slice(sub.length).trim();
        if (!text) return reply('Usage: /story say <what you say to the characters>');
        if (!(await handler.session(user, place.key))) return reply('No story runs here.');
        deps.runInBackground(ctx, () => handler.say(user, place.key, text, surface));
        return;
      }
      case 'regenerate':
        if (!(await handler.session(user, place.key))) return reply('No story runs here.');
        deps.runInBackground(ctx, () => handler.regenerate(user, place.key, surface));
        return;
      case 'end': {
        let ended;
        try {
          // A group's admins moderate its stories (the server takes the bot's word for it).
          const moderator = isGroup(ctx) && (await isChatAdmin(ctx, ctx.from!.id));
          ended = await handler.end(user, place.key, { moderator });
        } catch (error) {
          // The server's refusal (not who started it, not a participant) is the member's answer;
          // Telegram has no private replies in groups, so it is a reply to their command.
          if (!(error instanceof DreamloomApiError && error.expose)) throw error;
          return reply(`❌ ${error.message}`);
        }
        await reply(ended ? `The story ${ended.story.title} has ended.` : 'No story runs here.');
        return;
      }
      default:
        await reply(STORY_USAGE);
    }
  });

  // ◀ ▶ under a regenerated reply: the chosen version shows, and the story goes on from it.
  feature.callbackQuery(/^st:sw:/, async (ctx) => {
    const press = parseSwipeData(ctx.callbackQuery.data);
    const user = userOf(ctx);
    const message = ctx.callbackQuery.message;
    if (!press || !user || !message || !ctx.chat) return ctx.answerCallbackQuery();
    const outcome = await handler.swipe(user, placeOf(ctx).key, press.messageId, press.index);
    if ('refused' in outcome) {
      await ctx.answerCallbackQuery({ text: outcome.refused, show_alert: true });
      return;
    }
    await editCharacterMessage(
      ctx.api,
      ctx.chat.id,
      message.message_id,
      outcome.characterName,
      outcome.content,
      outcome.controls,
    );
    await ctx.answerCallbackQuery({
      text: `Version ${outcome.controls.index + 1} of ${outcome.controls.count}`,
    });
  });

  feature.on('message:text', async (ctx, next) => {
    const place = placeOf(ctx);
    const user = userOf(ctx);
    if (ctx.msg.text.startsWith('/') || !user) return next();
    if (!(await handler.sessionForMessage(user, place.key))) return next();
    const surface = new TelegramStorySurface(ctx.api, ctx.chat.id, place.topic, ctx.msg.message_id);
    // Turns take seconds; grammY handles updates one at a time, so the turn runs detached.
    deps.runInBackground(ctx, () => handler.say(user, place.key, ctx.msg.text, surface));
  });

  return feature;
}
