import { Composer, GrammyError, type Api, type Context } from 'grammy';
import { DreamloomApiError, type PlatformUser } from '../../shared/dreamloom-client.js';
import type { StoryCharacter } from '../../shared/story-client.js';
import type { CharacterMessage, StoryHandler, StorySurface } from '../../shared/story.handler.js';
import type { BackgroundRunner } from '../create-telegram-bot.js';

export const storyCommand = {
  command: 'story',
  description: 'Play a story: list, start <n>, regenerate, end',
};

export const STORY_USAGE = [
  'Story commands:',
  '/story list — the published stories',
  '/story start <number or title> — start one here',
  '/story regenerate — write the last reply again',
  '/story end — stop the story',
  'While a story runs, just talk: the characters answer.',
].join('\n');

/** Each character message is headed by the character's name (one bot speaks for all). */
export function characterText(name: string, text: string): string {
  return `🎭 ${name}\n${text}`.slice(0, 4096);
}

/** One bot, many characters: a message per reply, edited as tokens arrive. */
export class TelegramStorySurface implements StorySurface {
  constructor(
    private readonly api: Api,
    private readonly chatId: number,
    private readonly threadId?: number,
  ) {}

  async post(character: StoryCharacter, text: string): Promise<CharacterMessage> {
    const sent = await this.api.sendMessage(this.chatId, characterText(character.name, text), {
      ...(this.threadId ? { message_thread_id: this.threadId } : {}),
      link_preview_options: { is_disabled: true },
    });
    return {
      edit: async (next) => {
        try {
          await this.api.editMessageText(this.chatId, sent.message_id, characterText(character.name, next), {
            link_preview_options: { is_disabled: true },
          });
        } catch (error) {
          // The final edit may repeat the last streamed text; Telegram refuses a no-op edit.
          if (error instanceof GrammyError && /message is not modified/.test(error.description)) return;
          throw error;
        }
      },
    };
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
  const topic = ctx.msg?.is_topic_message ? ctx.msg.message_thread_id : undefined;
  return { key: `${ctx.chat!.id}:${topic ?? ''}`, topic };
};

/** `/story …` and the conversation itself, in private chats, groups and forum topics. */
export function createStoryFeature(deps: StoryFeatureDeps): Composer<Context> {
  const feature = new Composer<Context>();
  const { handler } = deps;

  feature.command(storyCommand.command, async (ctx) => {
    const user = userOf(ctx);
    if (!user || !ctx.chat) return;
    const [sub = '', ...rest] = ctx.match.trim().split(/\s+/);
    const place = placeOf(ctx);
    const surface = new TelegramStorySurface(ctx.api, ctx.chat.id, place.topic);
    const reply = (text: string) =>
      ctx.reply(text, place.topic ? { message_thread_id: place.topic } : undefined).then(() => undefined);
    switch (sub.toLowerCase()) {
      case 'list': {
        const stories = await handler.list(user);
        await reply(
          stories.length
            ? stories
                .map(
                  (story, i) =>
                    `${i + 1}. ${story.title} — ${story.characters.map((c) => c.name).join(', ')}`,
                )
                .join('\n')
            : 'No stories yet.',
        );
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
          }
        });
        return;
      }
      case 'regenerate':
        if (!(await handler.session(user, place.key))) return reply('No story runs here.');
        deps.runInBackground(ctx, () => handler.regenerate(user, place.key, surface));
        return;
      case 'end': {
        let ended;
        try {
          ended = await handler.end(user, place.key);
        } catch (error) {
          // The server's refusal (e.g. not a participant of a private story) is the member's answer.
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

  feature.on('message:text', async (ctx, next) => {
    const place = placeOf(ctx);
    const user = userOf(ctx);
    if (ctx.msg.text.startsWith('/') || !user) return next();
    if (!(await handler.sessionForMessage(user, place.key))) return next();
    const surface = new TelegramStorySurface(ctx.api, ctx.chat.id, place.topic);
    // Turns take seconds; grammY handles updates one at a time, so the turn runs detached.
    deps.runInBackground(ctx, () => handler.say(user, place.key, ctx.msg.text, surface));
  });

  return feature;
}
