import type { ChatMessageRecord, ConversationRecord } from './conversation.repository.js';

/** The conversation fields a reply needs (a plain copy, never a model instance). */
export type ConversationState = Pick<
  ConversationRecord,
  'id' | 'story_id' | 'user_id' | 'status' | 'summary' | 'summary_upto'
>;

/** A message as the prompt reads it (plain). */
export type WindowMessage = Pick<
  ChatMessageRecord,
  'id' | 'sequence' | 'role' | 'character_id' | 'character_name' | 'author_name' | 'content'
>;

interface Entry {
  state: ConversationState;
  /** The latest messages, oldest first; null until read (or after an unexplained change). */
  messages: WindowMessage[] | null;
  /** `messages` holds every message of the conversation (it has fewer than were asked for). */
  complete: boolean;
  /** Until when the entry may be served; expired entries stay to track writes (see `version`). */
  expires: number;
  /** Bumped by every local write: a database read that started before one must not be kept. */
  version: number;
  /** When this process last wrote the conversation's `updated_at`. */
  touchedAt: number;
}

export function toWindowMessage(row: WindowMessage): WindowMessage {
  return {
    id: row.id,
    sequence: row.sequence,
    role: row.role,
    character_id: row.character_id,
    character_name: row.character_name,
    author_name: row.author_name,
    content: row.content,
  };
}

/**
 * Per-process memory of active conversations: their state and latest messages. A reply then
 * builds its prompt without a database round trip, so its upstream request starts in the same
 * tick as the HTTP request is parsed instead of queueing behind every other request's reads
 * (at 50 concurrent requests, each await on I/O sent the request to the back of the line).
 *
 * This process's own writes update the entry in place. Writes by other processes reach it
 * through `foreignReply` / `patchState` (the engine listens on the event bus for other nodes'
 * replies, edits and ended conversations) and, should such an event be lost (Redis pub/sub does
 * not redeliver), when the entry expires: 0.9–1.1 × `ttlMs` after it was read from the database
 * (spread, so conversations read together are not all read again inside one later burst);
 * writing never extends that.
 */
export class ConversationWindowCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    /** Most messages kept per conversation (the largest history window plus one). */
    private readonly capacity = 201,
    private readonly maxEntries = 10_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  state(id: string): ConversationState | undefined {
    return this.fresh(id)?.state;
  }

  /** The last `count` messages, if this process knows them. */
  messages(id: string, count: number): WindowMessage[] | undefined {
    const entry = this.fresh(id);
    if (!entry?.messages) return undefined;
    if (entry.messages.length < count && !entry.complete) return undefined;
    return entry.messages.slice(-count);
  }

  /** The sequence number the next message will most likely get (undefined: ask the database). */
  nextSequence(id: string): number | undefined {
    const messages = this.fresh(id)?.messages;
    if (!messages) return undefined;
    const last = messages.at(-1);
    return last ? last.sequence + 1 : undefined;
  }

  /** Pass to `putMessages` with a read's result: it detects writes made while the read ran. */
  version(id: string): number {
    return this.entries.get(id)?.version ?? 0;
  }

  /** Remembers a conversation read from the database. */
  putState(state: ConversationState): void {
    if (!this.enabled) return;
    const entry = this.entries.get(state.id);
    const expires = Date.now() + this.ttlMs * (0.9 + 0.2 * Math.random());
    if (!entry) {
      // Oldest first out: Map iteration follows insertion order.
      if (this.entries.size >= this.maxEntries)
        this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(state.id, {
        state: { ...state },
        messages: null,
        complete: false,
        expires,
        version: 0,
        touchedAt: 0,
      });
      return;
    }
    if (entry.expires <= Date.now()) {
      // Re-read after expiry: other nodes may have written, so the messages are read again too.
      entry.messages = null;
      entry.expires = expires;
    }
    entry.state = { ...state };
  }

  /**
   * Remembers the latest messages read from the database with `LIMIT asked`; ignored when this
   * process wrote the conversation since `versionBefore` was taken (the read may miss that write).
   */
  putMessages(id: string, messages: WindowMessage[], asked: number, versionBefore: number): void {
    const entry = this.fresh(id);
    if (!entry || entry.version !== versionBefore) return;
    entry.messages = messages.slice(-this.capacity).map(toWindowMessage);
    entry.complete = messages.length < asked;
  }

  /** Messages this process appended; a gap in the sequence means another writer: read again. */
  appended(id: string, rows: WindowMessage[]): void {
    const entry = this.entries.get(id);
    if (!entry || !rows.length) return;
    entry.version += 1;
    const messages = entry.expires > Date.now() ? entry.messages : null;
    if (!messages || rows[0].sequence !== (messages.at(-1)?.sequence ?? 0) + 1) {
      entry.messages = null;
      return;
    }
    messages.push(...rows.map(toWindowMessage));
    if (messages.length > this.capacity) {
      messages.splice(0, messages.length - this.capacity);
      entry.complete = false;
    }
  }

  /** A message this process changed (edit, regenerate, continue). */
  replaced(id: string, row: WindowMessage): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.version += 1;
    const index = entry.messages?.findIndex((message) => message.id === row.id) ?? -1;
    if (entry.messages && index !== -1) entry.messages[index] = toWindowMessage(row);
  }

  patchState(id: string, fields: Partial<ConversationState>): void {
    const entry = this.entries.get(id);
    if (entry) entry.state = { ...entry.state, ...fields };
  }

  /** A reply stored by some node (event bus): unless this process already has it, read again. */
  foreignReply(id: string, message: { id: string; content: string }): void {
    const known = this.entries.get(id)?.messages?.find((row) => row.id === message.id);
    if (known?.content !== message.content) this.forget(id);
  }

  /** Another process changed the conversation: read it again next time. */
  forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.version += 1;
    entry.messages = null;
    entry.expires = 0;
  }

  /**
   * Whether `updated_at` is due (retention reads it in days): at most one write a minute per
   * conversation instead of one per message.
   */
  shouldTouch(id: string, now: number, everyMs = 60_000): boolean {
    const entry = this.entries.get(id);
    if (!entry) return true;
    if (now - entry.touchedAt < everyMs) return false;
    entry.touchedAt = now;
    return true;
  }

  private fresh(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    return entry && entry.expires > Date.now() ? entry : undefined;
  }
}
