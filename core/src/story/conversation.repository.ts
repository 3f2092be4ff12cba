/**
 * Where conversations and their messages live. The story chat reads and writes them only through
 * this port (ConversationStore adds its memory on top); its Sequelize adapter (conversation.repository.ts
 * in the adapters folder) implements it. Records are plain objects, never model instances.
 */

/** A stored conversation. */
export interface ConversationRecord {
  id: string;
  story_id: string;
  user_id: string;
  /** active | ended */
  status: string;
  summary: string | null;
  /** Messages up to this sequence are folded into `summary`. */
  summary_upto: number;
  created_at: Date;
  updated_at: Date;
}

/** A stored chat message. */
export interface ChatMessageRecord {
  id: string;
  conversation_id: string;
  sequence: number;
  /** user | assistant */
  role: string;
  character_id: string | null;
  character_name: string | null;
  author_user_id: string | null;
  author_name: string | null;
  content: string;
  is_opening: boolean;
  /** JSON array of earlier versions (regenerate keeps them). */
  swipes: string | null;
  created_at: Date;
}

/** A message to append: the store gives it its conversation, sequence number and time. */
export type NewMessage = Omit<ChatMessageRecord, 'conversation_id' | 'sequence' | 'created_at'>;

/** A history page's bounds: messages before a sequence number or before an instant. */
export interface PageBounds {
  beforeSequence?: number;
  beforeTime?: Date;
  limit: number;
}

/** An insert refused because another writer took one of its sequence numbers (the caller retries). */
export class SequenceTakenError extends Error {
  constructor() {
    super('sequence number already taken');
    this.name = 'SequenceTakenError';
  }
}

export interface ConversationRepository {
  createConversation(record: ConversationRecord): Promise<ConversationRecord>;
  /** The conversation as a plain row (the reply path's state read). */
  conversation(id: string): Promise<ConversationRecord | null>;
  /** The newest active conversation of a story that `userId` created or that is one of `joinedIds`. */
  latestActive(storyId: string, userId: string, joinedIds: string[]): Promise<ConversationRecord | null>;
  /** The story id of every conversation `userId` created (once per conversation, unordered). */
  storyIdsStartedBy(userId: string): Promise<string[]>;
  update(
    id: string,
    patch: Partial<Pick<ConversationRecord, 'status' | 'summary' | 'summary_upto' | 'updated_at'>>,
  ): Promise<void>;
  /** Ids of conversations last written before `cutoff` (at most `limit`). */
  untouchedSince(cutoff: Date, limit: number): Promise<string[]>;
  /** Deletes these conversations and their messages. */
  deleteConversations(ids: string[]): Promise<void>;

  message(id: string): Promise<ChatMessageRecord | null>;
  /** A message by id, only if it belongs to the conversation. */
  messageIn(conversationId: string, id: string): Promise<ChatMessageRecord | null>;
  /** The conversation's last message (highest sequence), or null. */
  lastMessage(conversationId: string): Promise<ChatMessageRecord | null>;
  /** The last `limit` messages, oldest first, read as plain rows (the reply path: no model instances). */
  recent(conversationId: string, limit: number): Promise<ChatMessageRecord[]>;
  /** A page of history within `bounds`, newest first. */
  page(conversationId: string, bounds: PageBounds): Promise<ChatMessageRecord[]>;
  /** Messages with `after < sequence < before`, oldest first. */
  between(conversationId: string, after: number, before: number): Promise<ChatMessageRecord[]>;
  /** The highest sequence number (0 without messages). */
  maxSequence(conversationId: string): Promise<number>;
  /** Inserts messages as given, in one statement; {@link SequenceTakenError} on a sequence clash. */
  insertMessages(records: ChatMessageRecord[]): Promise<ChatMessageRecord[]>;
  /** Writes `patch` onto the message and returns it changed. */
  updateMessage(
    message: ChatMessageRecord,
    patch: Partial<Pick<ChatMessageRecord, 'content' | 'swipes'>>,
  ): Promise<ChatMessageRecord>;
}
