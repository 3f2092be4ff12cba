import { TaskSnapshotCache } from '../generation/task-snapshot.cache.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { Logger } from '../shared/logger.js';
import type { ChatMessageView } from './chat-message.view.js';
import {
  SequenceTakenError,
  type ChatMessageRecord,
  type ConversationRecord,
  type ConversationRepository,
  type NewMessage,
} from './conversation.repository.js';
import {
  ConversationWindowCache,
  type ConversationState,
  type WindowMessage,
} from './conversation-window.cache.js';

export const roomOf = (conversationId: string) => `conversation:${conversationId}`;

/**
 * Message changes that no event of the conversation's room announces (a member's line stored
 * without a reply, a deleted conversation), on a control room members never join: every node
 * drops its remembered latest page of those conversations (see ConversationStore.latestPage).
 */
export const CONVERSATIONS_ROOM = 'control:conversations';
export const MESSAGES_CHANGED = 'messages.changed';

export type { NewMessage } from './conversation.repository.js';

interface Deps {
  repository: ConversationRepository;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** How long a conversation's state and latest messages are served from memory (0 = off). */
  ttlMs: number;
}

/**
 * Conversations and their messages as the chat reads and writes them, with the memory that
 * keeps the database off a reply's path: each conversation's state and latest messages (the
 * window the prompt is built from) and the latest history page members poll. Other nodes'
 * writes reach that memory through the event bus; until this node listens there (and if it
 * cannot), everything is read from the database, since memory it cannot correct would go stale.
 */
export class ConversationStore {
  private readonly windows: ConversationWindowCache;
  /**
   * The latest history page of each conversation members read, as answered (shared, read-only):
   * dropped by every event of the conversation's room and by `messages.changed`, on every node
   * (the per-id cache with in-flight invalidation that serves task snapshots).
   */
  private readonly latestPages = new TaskSnapshotCache<ChatMessageView[]>(60_000, 2_000);
  /** The event-bus subscription that tells this node about other nodes' replies. */
  private listening: Promise<void> | null = null;
  private crossNodeReady = false;

  constructor(private readonly deps: Deps) {
    this.windows = new ConversationWindowCache(deps.ttlMs);
  }

  /**
   * Conversations are served from memory only once this node hears other nodes' replies (the
   * event bus); until then, and if that fails, every reply reads the database.
   */
  listenForOtherNodes(): void {
    if (this.listening || !this.windows.enabled) return;
    this.listening = this.deps.events
      .subscribe((event) => {
        if (event.room === CONVERSATIONS_ROOM && event.name === MESSAGES_CHANGED)
          return this.latestPages.forget(
            (event.payload as { conversationIds?: string[] }).conversationIds ?? [],
          );
        if (!event.room.startsWith('conversation:')) return;
        // Any event of the room (a reply streaming, stored, edited; the end) changes the page.
        this.latestPages.forget([event.room.slice('conversation:'.length)]);
        const payload = event.payload as {
          conversation_id?: string;
          message?: { id?: string; content?: string };
        };
        if (!payload.conversation_id) return;
        if (event.name === 'conversation.ended')
          return this.windows.patchState(payload.conversation_id, { status: 'ended' });
        if (event.name !== 'message.end' && event.name !== 'message.edited') return;
        const message = payload.message;
        if (typeof message?.id === 'string' && typeof message.content === 'string')
          this.windows.foreignReply(payload.conversation_id, { id: message.id, content: message.content });
      })
      .then(
        () => {
          this.crossNodeReady = true;
        },
        (error: unknown) =>
          this.deps.logger.warn(
            { err: (error as Error).message },
            'chat cache off: cannot listen for other nodes',
          ),
      );
  }

  async state(conversationId: string): Promise<ConversationState | null> {
    this.listenForOtherNodes();
    const cached = this.crossNodeReady ? this.windows.state(conversationId) : undefined;
    if (cached) return cached;
    const row: ConversationState | null = await this.deps.repository.conversation(conversationId);
    if (row && this.crossNodeReady) this.windows.putState(row);
    return row;
  }

  /** This node holds the conversation in memory: its state costs no I/O. */
  holds(conversationId: string): boolean {
    return this.crossNodeReady && this.windows.state(conversationId) !== undefined;
  }

  /** Local writes so far (see {@link rememberWindow}). */
  version(conversationId: string): number {
    return this.windows.version(conversationId);
  }

  /** The last `limit` messages, oldest first: from memory when known, else read and remembered. */
  async window(conversationId: string, limit: number): Promise<WindowMessage[]> {
    const cached = this.crossNodeReady ? this.windows.messages(conversationId, limit) : undefined;
    if (cached) return cached;
    const version = this.windows.version(conversationId);
    const rows = await this.recent(conversationId, limit);
    this.rememberWindow(conversationId, rows, limit, version);
    return rows;
  }

  /**
   * Keeps the last `limit` messages read from the database, unless a local write happened since
   * the read began (`version` taken before it).
   */
  rememberWindow(conversationId: string, rows: WindowMessage[], limit: number, version: number): void {
    if (this.crossNodeReady) this.windows.putMessages(conversationId, rows, limit, version);
  }

  /** The last `limit` messages, oldest first, as plain rows (read-only: no model instances on the hot path). */
  recent(conversationId: string, limit: number): Promise<ChatMessageRecord[]> {
    return this.deps.repository.recent(conversationId, limit);
  }

  /** A new conversation with its openings: the first reply follows at once and finds it in memory. */
  created(conversation: ConversationRecord, openings: ChatMessageRecord[]): void {
    if (!this.crossNodeReady) return;
    this.windows.putState(conversation);
    this.windows.putMessages(
      conversation.id,
      openings,
      openings.length + 1,
      this.windows.version(conversation.id),
    );
  }

  patchState(conversationId: string, patch: Partial<ConversationState>): void {
    this.windows.patchState(conversationId, patch);
  }

  /** A stored message's content changed here (edit, swipe, regenerate, continue). */
  replaced(conversationId: string, row: ChatMessageRecord): void {
    this.windows.replaced(conversationId, row);
    this.messagesChanged([conversationId]);
  }

  /**
   * The latest history page: from memory until the conversation changes (on any node), else
   * `read`. The caller checks access first, on every request.
   */
  async latestPage(
    conversationId: string,
    read: () => Promise<ChatMessageView[]>,
  ): Promise<ChatMessageView[]> {
    if (!this.crossNodeReady) return read();
    return (await this.latestPages.get(conversationId, Date.now(), read))!;
  }

  /**
   * Messages of these conversations changed: this node forgets their latest pages at once, every
   * other node when the notice arrives (changes that also publish a room event are covered twice).
   */
  messagesChanged(conversationIds: string[]): void {
    this.latestPages.forget(conversationIds);
    void this.deps.events
      .publish({ room: CONVERSATIONS_ROOM, name: MESSAGES_CHANGED, payload: { conversationIds } })
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: (error as Error).message }, 'messages.changed not published'),
      );
  }

  /** Tells the conversation's room (its clients and other nodes); a failure is logged, never thrown. */
  async publish(conversationId: string, name: string, payload: unknown): Promise<void> {
    try {
      await this.deps.events.publish({ room: roomOf(conversationId), name, payload });
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'chat event publish failed');
    }
  }

  /** Appends a message with the next sequence number; concurrent writers retry on the unique index. */
  async append(conversationId: string, fields: NewMessage): Promise<ChatMessageRecord> {
    return (await this.appendMany(conversationId, [fields]))[0];
  }

  /** Appends messages with consecutive sequence numbers in one insert. */
  async appendMany(conversationId: string, list: NewMessage[]): Promise<ChatMessageRecord[]> {
    const { repository } = this.deps;
    // The next sequence number is known when this node holds the latest messages; if another
    // node took it meanwhile, the unique index refuses the insert and the database decides.
    let next = this.crossNodeReady ? this.windows.nextSequence(conversationId) : undefined;
    for (let attempt = 0; ; attempt += 1) {
      const max = next !== undefined ? next - 1 : await repository.maxSequence(conversationId);
      next = undefined;
      try {
        const now = this.deps.clock.now();
        const rows = await repository.insertMessages(
          list.map((fields, index) => ({
            ...fields,
            conversation_id: conversationId,
            sequence: max + 1 + index,
            // Distinct instants keep time-cursored history pages exact.
            created_at: new Date(now.getTime() + index),
          })),
        );
        this.windows.appended(conversationId, rows);
        this.messagesChanged([conversationId]);
        // Retention reads updated_at in days; it need not hold up the reply, nor be written per message.
        if (this.windows.shouldTouch(conversationId, now.getTime()))
          void repository
            .update(conversationId, { updated_at: now })
            .catch((error: unknown) =>
              this.deps.logger.warn({ err: (error as Error).message }, 'conversation touch failed'),
            );
        return rows;
      } catch (error) {
        if (!(error instanceof SequenceTakenError) || attempt >= 10) throw error;
      }
    }
  }
}
