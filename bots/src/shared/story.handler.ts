import { TypingIndicator } from './typing-indicator.js';
import { EditThrottler } from './edit-throttler.js';
import { DreamloomApiError, type PlatformUser } from './dreamloom-client.js';
import type { Logger } from './logger.js';
import type { StoryApi, StoryBinding, StoryCharacter, StoryMessage, StorySummary } from './story-client.js';

/**
 * A regenerated reply's versions as members browse them with ◀ ▶: which one shows, of how many.
 * The platform draws the controls; a press comes back as {@link StoryHandler.swipe}.
 */
export interface SwipeControls {
  /** The server's id of the reply. */
  messageId: string;
  /** 0-based, in the order the versions were written. */
  index: number;
  count: number;
}

/** One character message on a platform, growing as tokens arrive. */
export interface CharacterMessage {
  /** Replaces the text; with `swipes`, the ◀ n/m ▶ controls too (none while a version is written). */
  edit(text: string, swipes?: SwipeControls): Promise<void>;
}

/** What a swipe press shows: the chosen version and the controls, or why nothing changed. */
export type SwipeOutcome =
  { content: string; characterName: string; controls: SwipeControls } | { refused: string };

/** Where a story is played: a Discord thread (webhook per character) or a Telegram chat. */
export interface StorySurface {
  /** Posts the first text of a character's message (name and avatar are the platform's business). */
  post(character: StoryCharacter, text: string): Promise<CharacterMessage>;
  /**
   * Optional: shows that a reply is being written (Telegram's "typing…", Discord's "… is
   * typing"); it fades by itself, so it is repeated while the reply is written.
   */
  showTyping?(): Promise<void>;
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
/** Replies whose platform message and versions this process remembers; the oldest go first. */
const MAX_REMEMBERED_REPLIES = 5_000;

/** A character reply this process showed: where it is and its versions as members browse them. */
interface ShownReply {
  /** The platform message (absent when learned from the server's history after a restart). */
  message?: CharacterMessage;
  characterName: string;
  /** Every version, oldest first. */
  versions: string[];
  /** The one showing, which is also the server's content of the reply. */
  current: number;
  /** The server's other versions as last seen (their order is the server's, not `versions`'). */
  serverSwipes: string[];
}

/**
 * Platform-neutral story play: which story a place plays is the server's (bindings), so
 * restarts and several bot processes agree; a turn is streamed into one message per character,
 * edits throttled (latest text wins, the final text always lands).
 */
export class StoryHandler {
  private readonly known = new Map<string, { session: Promise<StorySession | null>; expires: number }>();
  /** One turn at a time per place, in arrival order (within this process). */
  private readonly queues = new Map<string, Promise<void>>();
  /** By the server's message id: regenerate edits the same platform message, swipes browse it. */
  private readonly replies = new Map<string, ShownReply>();

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
      const message = await surface.post(character, opening.content);
      // A regenerate right after the start rewrites the opening, in its own message too.
      this.rememberReply(opening.id, {
        message,
        characterName: character.name,
        versions: [...opening.swipes, opening.content],
        current: opening.swipes.length,
        serverSwipes: opening.swipes,
      });
    }
    return binding;
  }

  /**
   * Ends the story of `place` for every bot process; undefined when none ran there. Only its
   * starter, staff or (`moderator`, as the platform says) a moderator of the place may.
   */
  async end(
    user: PlatformUser,
    place: string,
    options: { moderator?: boolean } = {},
  ): Promise<StorySession | undefined> {
    const ended = await this.deps.api.endBinding(user, place, options);
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
        this.stream(surface, session, 'turn', (listener) =>
          this.deps.api.playTurn(
            this.inPlace(user, place),
            { conversationId: session.conversationId, content, authorName: user.username },
            listener,
          ),
        ),
      ),
    );
  }

  /**
   * Writes the last reply again in the message that shows it (a new message only when this
   * process never showed it, e.g. after a restart); the earlier versions stay, as swipes.
   */
  async regenerate(user: PlatformUser, place: string, surface: StorySurface): Promise<StoryMessage[]> {
    const session = await this.session(user, place);
    if (!session) return [];
    return this.serialize(place, () =>
      this.unlessEnded(user, place, session, () =>
        this.stream(surface, session, 'regenerate', (listener) =>
          this.deps.api.regenerate(this.inPlace(user, place), session.conversationId, listener),
        ),
      ),
    );
  }

  /**
   * A ◀ ▶ press on a reply: version `target` (oldest first) becomes the reply's content on the
   * server too, so the story goes on from what the members see. The platform edits the pressed
   * message with the outcome. Pressing after a restart works: the versions are read back from the
   * server's history (in the server's order from then on).
   */
  async swipe(user: PlatformUser, place: string, messageId: string, target: number): Promise<SwipeOutcome> {
    const session = await this.session(user, place);
    if (!session) return { refused: 'No story runs here any more.' };
    return this.serialize(place, async () => {
      try {
        const shown =
          this.replies.get(messageId) ?? (await this.replyFromHistory(user, place, session, messageId));
        if (!shown) return { refused: 'This reply can no longer be changed.' };
        const index = Math.min(Math.max(0, Math.trunc(target)), shown.versions.length - 1);
        if (index !== shown.current) {
          // The chosen text is among the server's swipes unless it is its content already.
          const serverIndex = shown.serverSwipes.indexOf(shown.versions[index]);
          if (serverIndex !== -1) {
            const view = await this.deps.api.selectSwipe(this.inPlace(user, place), messageId, serverIndex);
            shown.serverSwipes = view.swipes;
          }
          shown.current = index;
        }
        return {
          content: shown.versions[index],
          characterName: shown.characterName,
          controls: { messageId, index, count: shown.versions.length },
        };
      } catch (error) {
        if (!(error instanceof DreamloomApiError && error.expose)) throw error;
        return { refused: error.message };
      }
    });
  }

  private async replyFromHistory(
    user: PlatformUser,
    place: string,
    session: StorySession,
    messageId: string,
  ): Promise<ShownReply | undefined> {
    const history = await this.deps.api.history(this.inPlace(user, place), session.conversationId);
    const message = history.find((m) => m.id === messageId && m.role === 'assistant');
    if (!message) return undefined;
    const shown: ShownReply = {
      characterName: message.characterName ?? 'Narrator',
      versions: [...message.swipes, message.content],
      current: message.swipes.length,
      serverSwipes: message.swipes,
    };
    this.rememberReply(messageId, shown);
    return shown;
  }

  private rememberReply(messageId: string, shown: ShownReply): void {
    this.replies.delete(messageId);
    if (this.replies.size >= MAX_REMEMBERED_REPLIES) {
      const oldest = this.replies.keys().next().value;
      if (oldest !== undefined) this.replies.delete(oldest);
    }
    this.replies.set(messageId, shown);
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
    kind: 'turn' | 'regenerate',
    run: (listener: Parameters<StoryApi['playTurn']>[2]) => Promise<void>,
  ): Promise<StoryMessage[]> {
    const done: StoryMessage[] = [];
    // Until the first words arrive (and while they stream) the place shows that a reply is coming.
    const typing = surface.showTyping
      ? new TypingIndicator(() => surface.showTyping!(), {
          onError: (error) => this.deps.logger.warn('Typing indicator failed', { error }),
        })
      : undefined;
    try {
      await this.streamInto(surface, session, kind, run, done);
    } finally {
      typing?.stop();
    }
    return done;
  }

  private async streamInto(
    surface: StorySurface,
    session: StorySession,
    kind: 'turn' | 'regenerate',
    run: (listener: Parameters<StoryApi['playTurn']>[2]) => Promise<void>,
    done: StoryMessage[],
  ): Promise<void> {
    type Edit = { text: string; swipes?: SwipeControls };
    let current:
      | { message: Promise<CharacterMessage>; name: string; text: string; throttle: EditThrottler<Edit> }
      | undefined;
    await run({
      onStart: (start) => {
        const character = this.character(session, start.characterId, start.characterName);
        // A regenerated reply is rewritten where it shows (its old text stays until the first words).
        const shown = kind === 'regenerate' ? this.replies.get(start.messageId)?.message : undefined;
        const message = shown ? Promise.resolve(shown) : surface.post(character, TYPING);
        const throttle = new EditThrottler<Edit>(
          async (edit) => (await message).edit(edit.text, edit.swipes),
          {
            intervalMs: this.deps.editIntervalMs,
            onError: (error) => this.deps.logger.warn('Story message edit failed', { error }),
          },
        );
        current = { message, name: character.name, text: '', throttle };
      },
      onDelta: (delta) => {
        if (!current) return;
        current.text += delta.content;
        current.throttle.push({ text: current.text });
      },
      onEnd: async (message) => {
        if (current) {
          const known = this.replies.get(message.id);
          // Versions oldest first: what this process showed, else what the server kept.
          const versions =
            kind === 'regenerate'
              ? [...(known?.versions ?? message.swipes), message.content]
              : [message.content];
          this.rememberReply(message.id, {
            message: await current.message,
            characterName: current.name,
            versions,
            current: versions.length - 1,
            serverSwipes: message.swipes,
          });
          const swipes =
            versions.length > 1
              ? { messageId: message.id, index: versions.length - 1, count: versions.length }
              : undefined;
          await current.throttle.finish({ text: message.content || TYPING, swipes });
        }
        current = undefined;
        done.push(message);
      },
    });
  }
}
