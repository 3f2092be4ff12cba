import { EditThrottler } from './edit-throttler.js';
import type { PlatformUser } from './dreamloom-client.js';
import type { Logger } from './logger.js';
import type { StoryApi, StoryCharacter, StoryMessage, StorySummary } from './story-client.js';

/** One character message on a platform, growing as tokens arrive. */
export interface CharacterMessage {
  edit(text: string): Promise<void>;
}

/** Where a story is played: a Discord thread (webhook per character) or a Telegram chat. */
export interface StorySurface {
  /** Posts the first text of a character's message (name and avatar are the platform's business). */
  post(character: StoryCharacter, text: string): Promise<CharacterMessage>;
}

/** A running story in one place (thread, chat, topic). */
export interface StorySession {
  conversationId: string;
  story: StorySummary;
  /** Who started it; only they (or the server's rules) may end it. */
  startedBy: string;
}

export interface StoryHandlerDeps {
  api: StoryApi;
  logger: Logger;
  /** Minimum time between edits of one message (platform rate limits). */
  editIntervalMs: number;
}

/** Placeholder while the first tokens are on their way (platforms refuse empty messages). */
export const TYPING = '…';

/**
 * Platform-neutral story play: sessions by place, a turn streamed into one message per
 * character, edits throttled (latest text wins, the final text always lands).
 */
export class StoryHandler {
  private readonly sessions = new Map<string, StorySession>();
  /** One turn at a time per place, in arrival order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: StoryHandlerDeps) {}

  session(place: string): StorySession | undefined {
    return this.sessions.get(place);
  }

  async list(user: PlatformUser): Promise<StorySummary[]> {
    return this.deps.api.listStories(user);
  }

  /** Finds a story by list number (1-based), id or title. */
  async find(user: PlatformUser, query: string): Promise<StorySummary | undefined> {
    const stories = await this.list(user);
    const trimmed = query.trim();
    const index = /^\d{1,3}$/.test(trimmed) ? Number(trimmed) - 1 : -1;
    return (
      stories[index] ??
      stories.find((story) => story.id === trimmed) ??
      stories.find((story) => story.title.toLowerCase() === trimmed.toLowerCase())
    );
  }

  /** Starts a conversation in `place` and posts the story's opening messages. */
  async start(
    user: PlatformUser,
    place: string,
    story: StorySummary,
    surface: StorySurface,
  ): Promise<StorySession> {
    const { conversationId, openings } = await this.deps.api.startConversation(user, story.id);
    const session: StorySession = { conversationId, story, startedBy: user.id };
    this.sessions.set(place, session);
    for (const opening of openings) {
      const character = this.character(session, opening.characterId, opening.characterName);
      await surface.post(character, opening.content);
    }
    return session;
  }

  async end(user: PlatformUser, place: string): Promise<StorySession | undefined> {
    const session = this.sessions.get(place);
    if (!session) return undefined;
    await this.deps.api.endConversation(user, session.conversationId);
    this.sessions.delete(place);
    return session;
  }

  /** A member's message in a place with a running story: the characters answer, streamed. */
  async say(
    user: PlatformUser,
    place: string,
    content: string,
    surface: StorySurface,
  ): Promise<StoryMessage[]> {
    const session = this.sessions.get(place);
    if (!session) return [];
    return this.serialize(place, () =>
      this.stream(surface, session, (listener) =>
        this.deps.api.playTurn(
          user,
          { conversationId: session.conversationId, content, authorName: user.username },
          listener,
        ),
      ),
    );
  }

  async regenerate(user: PlatformUser, place: string, surface: StorySurface): Promise<StoryMessage[]> {
    const session = this.sessions.get(place);
    if (!session) return [];
    return this.serialize(place, () =>
      this.stream(surface, session, (listener) =>
        this.deps.api.regenerate(user, session.conversationId, listener),
      ),
    );
  }

  private character(session: StorySession, id: string | null, name: string | null): StoryCharacter {
    return (
      session.story.characters.find((c) => c.id === id) ?? {
        id: id ?? 'narrator',
        name: name ?? 'Narrator',
        imageUrl: null,
        type: 'character',
      }
    );
  }

  private async serialize<T>(place: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(place) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(place, settled);
    try {
      return await run;
    } finally {
      if (this.queues.get(place) === settled) this.queues.delete(place);
    }
  }

  private async stream(
    surface: StorySurface,
    session: StorySession,
    run: (listener: Parameters<StoryApi['playTurn']>[2]) => Promise<void>,
  ): Promise<StoryMessage[]> {
    const done: StoryMessage[] = [];
    let current:
      { message: Promise<CharacterMessage>; text: string; throttle: EditThrottler<string> } | undefined;
    await run({
      onStart: (start) => {
        const message = surface.post(this.character(session, start.characterId, start.characterName), TYPING);
        const throttle = new EditThrottler<string>(async (text) => (await message).edit(text), {
          intervalMs: this.deps.editIntervalMs,
          onError: (error) => this.deps.logger.warn('Story message edit failed', { error }),
        });
        current = { message, text: '', throttle };
      },
      onDelta: (delta) => {
        if (!current) return;
        current.text += delta.content;
        current.throttle.push(current.text);
      },
      onEnd: async (message) => {
        if (current) {
          await current.message;
          await current.throttle.finish(message.content || TYPING);
        }
        current = undefined;
        done.push(message);
      },
    });
    return done;
  }
}
