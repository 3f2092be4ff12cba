import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from '../shared/logger.js';
import type { StoryCharacter } from '../shared/story-client.js';
import type { CharacterMessage, StorySurface, SwipeControls } from '../shared/story.handler.js';
import { storyContent, swipeComponents } from './story-markdown.js';

/** The name of the one webhook per channel that every character speaks through. */
export const STORY_WEBHOOK_NAME = 'Dreamloom Story';
const UNKNOWN_WEBHOOK = 10015;
const UNKNOWN_MESSAGE = 10008;

interface Webhook {
  id: string;
  token: string;
}

/**
 * One webhook per channel, reused for every character (PluralKit-style): found or created on
 * first use, cached, and recreated once when Discord answers "Unknown Webhook" (someone deleted it).
 */
export class WebhookDirectory {
  private readonly hooks = new Map<string, Promise<Webhook>>();

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
  ) {}

  get(channelId: string): Promise<Webhook> {
    let hook = this.hooks.get(channelId);
    if (!hook) {
      hook = this.findOrCreate(channelId);
      hook.catch(() => this.hooks.delete(channelId));
      this.hooks.set(channelId, hook);
    }
    return hook;
  }

  forget(channelId: string): void {
    this.hooks.delete(channelId);
  }

  private async findOrCreate(channelId: string): Promise<Webhook> {
    const existing = (await this.rest.get(Routes.channelWebhooks(channelId))) as Array<{
      id: string;
      token?: string;
      name: string | null;
    }>;
    const ours = existing.find((hook) => hook.name === STORY_WEBHOOK_NAME && hook.token);
    if (ours) return { id: ours.id, token: ours.token! };
    const created = (await this.rest.post(Routes.channelWebhooks(channelId), {
      body: { name: STORY_WEBHOOK_NAME },
    })) as { id: string; token: string };
    this.logger.info('Story webhook created', { channelId });
    return { id: created.id, token: created.token };
  }

  /** Runs a webhook call; on "Unknown Webhook" the webhook is recreated and the call retried once. */
  async withWebhook<T>(channelId: string, call: (hook: Webhook) => Promise<T>): Promise<T> {
    try {
      return await call(await this.get(channelId));
    } catch (error) {
      if (!(error instanceof DiscordAPIError) || error.code !== UNKNOWN_WEBHOOK) throw error;
      this.logger.warn('Story webhook is gone; recreating it', { channelId });
      this.forget(channelId);
      return call(await this.get(channelId));
    }
  }
}

/** No story message ever pings: model text may contain @everyone or mentions. */
const NO_MENTIONS = { parse: [] };

/**
 * A story thread: characters post through the parent channel's webhook, into the thread, as
 * Discord markdown (storyContent). `replyTo` is the member whose message they answer.
 */
export class DiscordWebhookSurface implements StorySurface {
  constructor(
    private readonly rest: REST,
    private readonly directory: WebhookDirectory,
    private readonly channelId: string,
    private readonly threadId: string,
    private readonly replyTo?: string,
  ) {}

  /** "Dreamloom is typing…" in the story thread while a character's reply is written. */
  async showTyping(): Promise<void> {
    await this.rest.post(Routes.channelTyping(this.threadId));
  }

  async post(character: StoryCharacter, text: string): Promise<CharacterMessage> {
    let sent = await this.send(character, text);
    return {
      edit: async (next, swipes) => {
        try {
          // The webhook that sent the message, not a recreated one: only it may edit it.
          await patchStoryMessage(this.rest, sent.hook, {
            threadId: this.threadId,
            messageId: sent.id,
            content: storyContent(next, this.replyTo),
            swipes,
          });
        } catch (error) {
          if (!isGone(error)) throw error;
          // The webhook (or the message) was deleted mid-reply: the reply so far is posted
          // whole through a recreated webhook (send's "Unknown Webhook" retry) and streams on
          // there, and the stranded "…" goes.
          const stranded = sent.id;
          sent = await this.send(character, next);
          // A webhook post carries no buttons; the ◀ ▶ controls follow as an edit.
          if (swipes)
            await patchStoryMessage(this.rest, sent.hook, {
              threadId: this.threadId,
              messageId: sent.id,
              content: storyContent(next, this.replyTo),
              swipes,
            });
          await this.rest
            .delete(Routes.channelMessage(this.threadId, stranded))
            .catch(() => undefined /* already gone, or no Manage Messages: it stays behind */);
        }
      },
    };
  }

  private async send(character: StoryCharacter, text: string): Promise<{ id: string; hook: Webhook }> {
    const query = new URLSearchParams({ wait: 'true', thread_id: this.threadId });
    const body = {
      content: storyContent(text, this.replyTo),
      username: character.name.slice(0, 80),
      ...(character.imageUrl ? { avatar_url: character.imageUrl } : {}),
      allowed_mentions: NO_MENTIONS,
    };
    return this.directory.withWebhook(this.channelId, async (hook) => {
      const message = (await this.rest.post(Routes.webhook(hook.id, hook.token), {
        body,
        query,
        auth: false,
      })) as { id: string };
      return { id: message.id, hook };
    });
  }
}

interface StoryMessageEdit {
  threadId: string;
  messageId: string;
  /** Already formatted (storyContent). */
  content: string;
  swipes?: SwipeControls;
}

/**
 * Rewrites a character's message with its ◀ ▶ controls, or none. The webhook is the bot's own
 * (application-owned), so it may carry buttons once `with_components` is asked for.
 */
function patchStoryMessage(rest: REST, hook: Webhook, edit: StoryMessageEdit): Promise<unknown> {
  return rest.patch(Routes.webhookMessage(hook.id, hook.token, edit.messageId), {
    body: { content: edit.content, allowed_mentions: NO_MENTIONS, components: swipeComponents(edit.swipes) },
    query: new URLSearchParams({ thread_id: edit.threadId, with_components: 'true' }),
    auth: false,
  });
}

/** A swipe press: the pressed message (any the channel's story webhook sent) shows another version. */
export function editStoryMessage(
  rest: REST,
  directory: WebhookDirectory,
  channelId: string,
  edit: StoryMessageEdit,
): Promise<unknown> {
  return directory.withWebhook(channelId, (hook) => patchStoryMessage(rest, hook, edit));
}

/** Discord's answers when a webhook or its message no longer exists. */
function isGone(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError && (error.code === UNKNOWN_WEBHOOK || error.code === UNKNOWN_MESSAGE)
  );
}
