import { EditThrottler } from './edit-throttler.js';
import { DreamloomApiError, type PlatformUser } from './dreamloom-client.js';
import type { Logger } from './logger.js';
import type { StoryApi, StoryBinding, StoryCharacter, StoryMessage, StorySummary } from './story-client.js';

/** One character message on a platform, growing as tokens arrive. */
export interface CharacterMessage {
  edit(text: string): Promise<void>;
}

/** Where a story is played: a Discord thread (webhook per character) or a Telegram chat. */
export interface StorySurface {
  /** Posts the first text of a character's message (name and avatar are the platform's business). */
  post(character: StoryCharacter, text: string): Promise<CharacterMessage>;
}

/** A running story in one place (thread, chat, topic), as the server keeps it. */
export type StorySession = StoryBinding;

export interface StoryHandlerDeps {
  api: StoryApi;
  logger: Logger;
  /** Minimum time between edits of one message (platform rate limits). */
  editIntervalMs: number;
  /**
   * How long this process trusts what it last heard about a place (default 3000 ms; 0 = ask the
   * server every time). Every message in every chat asks "does a story run here?", so a short
   * memory spares the server; a turn refused because the story ended elsewhere clears it at once.
   */
  sessionCacheMs?: number;
}

/** Placeholder while the first tokens are on their way (platforms refuse empty messages). */
export const TYPING = '…';

/** Bounds the memory of places (a busy bot sees many chats); cleared wholesale when reached. */
const MAX_CACHED_PLACES = 10_000;

/**
 * Platform-neutral story play: which story a place plays is the server's (bindings), so
 * restarts and several bot processes agree; a turn is streamed into one message per character,
 * edits throttled (latest text wins, the final text always lands).
 */
export class StoryHandler {
  private readonly known = new Map<string, { session: Promise<StorySession | null>; expires: number }>();
  /** One turn at a time per place, in arrival order (within this process). */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: StoryHandlerDeps) {}

  /** The story running in `place` on the user's platform, if any. */
  async session(user: PlatformUser, place: string): Promise<StorySession | undefined> {
    const key = this.keyOf(user, place);
    const hit = this.known.get(key);
    if (hit && hit.expires > Date.now()) return (await hit.session) ?? undefined;
    // Concurrent lookups of one place share one request.
    const session = this.deps.api.findBinding(user, place);
    this.remember(key, session);
    try {
      return (await session) ?? undefined;
    } catch (error) {
      if (this.known.get(key)?.session === session) this.known.delete(key);
      throw error;
    }
  }

  /**
   * For members' ordinary messages: a failed lookup is logged and read as "no story here", as
   * answering every message of a busy group with an error while the server is away is worse.
   */
  async sessionForMessage(user: PlatformUser, place: string): Promise<StorySession | undefined> {
    try {
      return await this.session(user, place);
    } catch (error) {
      this.deps.logger.warn('Story lookup failed; message not played', { place, error });
      return undefined;
    }
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

  /**
   * Starts a conversation in `place` and posts the story's opening messages. Rejects with a
   * {@link DreamloomApiError} of status 409 while another story runs there.
   */
  async start(
    user: PlatformUser,
    place: string,
    story: StorySummary,
    surface: StorySurface,
    options: { parentChannel?: string } = {},
  ): Promise<StorySession> {
    const { binding, openings } = await this.deps.api.bind(user, {
      channel: place,
      storyId: story.id,
      parentChannel: options.parentChannel,
    });
    this.remember(this.keyOf(user, place), Promise.resolve(binding));
    for (const opening of openings) {
      const character = this.character(binding, opening.characterId, opening.characterName);
      await surface.post(character, opening.content);
    }
    return binding;
  }

  /** Ends the story of `place` for every bot process; undefined when none ran there. */
  async end(user: PlatformUser, place: string): Promise<StorySession | undefined> {
    const ended = await this.deps.api.endBinding(user, place);
    this.remember(this.keyOf(user, place), Promise.resolve(null));
    return ended ?? undefined;
  }

  /** A member's message in a place with a running story: the characters answer, streamed. */
  async say(
    user: PlatformUser,
    place: string,
    content: string,
    surface: StorySurface,
  ): Promise<StoryMessage[]> {
    const session = await this.session(user, place);
    if (!session) return [];
    return this.serialize(place, () =>
      this.unlessEnded(user, place, session, () =>
        this.stream(surface, session, (listener) =>
          this.deps.api.playTurn(
            this.inPlace(user, place),
            { conversationId: session.conversationId, content, authorName: user.username },
            listener,
          ),
        ),
      ),
    );
  }

  async regenerate(user: PlatformUser, place: string, surface: StorySurface): Promise<StoryMessage[]> {
    const session = await this.session(user, place);
    if (!session) return [];
    return this.serialize(place, () =>
      this.unlessEnded(user, place, session, () =>
        this.stream(surface, session, (listener) =>
          this.deps.api.regenerate(this.inPlace(user, place), session.conversationId, listener),
        ),
      ),
    );
  }

  /**
   * The member as acting in `place`: the server lets everyone in a bound place play its story
   * (they are not each invited), once the bot says which place the message came from.
   */
  private inPlace(user: PlatformUser, place: string): PlatformUser {
    return { ...user, channel: place };
  }

  private keyOf(user: PlatformUser, place: string): string {
    return `${user.platform}:${place}`;
  }

  private remember(key: string, session: Promise<StorySession | null>): void {
    const ttl = this.deps.sessionCacheMs ?? 3000;
    if (ttl <= 0) {
      this.known.delete(key);
      return;
    }
    if (this.known.size >= MAX_CACHED_PLACES) this.known.clear();
    this.known.set(key, { session, expires: Date.now() + ttl });
  }

  /**
   * Runs a chat operation; when the server refuses it because the conversation ended or is gone
   * (another bot process ran `/story end`, or the remembered session is stale), the place is
   * looked up afresh and the operation quietly does nothing if its story no longer runs.
   */
  private async unlessEnded(
    user: PlatformUser,
    place: string,
    session: StorySession,
    work: () => Promise<StoryMessage[]>,
  ): Promise<StoryMessage[]> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DreamloomApiError) || (error.status !== 404 && error.status !== 409))
        throw error;
      this.known.delete(this.keyOf(user, place));
      const current = await this.session(user, place);
      if (current?.conversationId === session.conversationId) throw error;
      this.deps.logger.info('Story ended elsewhere; message ignored', { place });
      return [];
    }
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
