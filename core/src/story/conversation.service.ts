import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { ConversationMembership } from './access/conversation-membership.js';
import { assertMayDo, mayEditMessage, standingOf } from './access/conversation-access.js';
import { assertCanReadStory } from './access/story-access.js';
import { messageView, type ChatMessageView } from './chat-message.view.js';
import { assertActive, type ConversationGate } from './conversation-gate.js';
import type {
  ChatMessageRecord,
  ConversationRecord,
  ConversationRepository,
} from './conversation.repository.js';
import type { ConversationStore } from './conversation.store.js';
import { assertOpeningsSpokenByCast } from './opening-speakers.js';
import { parseSetting } from './story-setting.js';
import type { CharacterRecord } from './catalog/character.repository.js';
import type { StoryRecord } from './catalog/story.repository.js';
import type { StoryRowsCache } from './story-rows.cache.js';

interface Deps {
  repository: ConversationRepository;
  conversations: ConversationStore;
  gate: ConversationGate;
  membership: ConversationMembership;
  rows: StoryRowsCache;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * Contract 002's conversations: start one (with its openings), find, end, invite and join,
 * read its history, and the member's own writes to it (a line, an edit, a swipe). Replies are
 * StoryReplyService's.
 */
export class ConversationService {
  constructor(private readonly deps: Deps) {}

  async createConversation(
    actor: Actor,
    input: { storyId: string; messages?: Array<{ content: string; character_id: string }> },
  ): Promise<{ conversation: ConversationRecord; lastMessageId: string | null }> {
    this.deps.conversations.listenForOtherNodes();
    const story = assertCanReadStory(actor, await this.deps.rows.freshStory(input.storyId));
    const setting = parseSetting(story.setting);
    const cast = await this.loadCast(story);
    // Checked before anything is written: a refused opening leaves no conversation behind.
    assertOpeningsSpokenByCast(
      input.messages,
      cast.map((member) => member.id),
      'messages',
    );
    const now = this.deps.clock.now();
    const conversation = await this.deps.repository.createConversation({
      id: this.deps.ids.snowflake(),
      story_id: story.id,
      user_id: actor.id,
      status: 'active',
      summary: null,
      summary_upto: 0,
      created_at: now,
      updated_at: now,
    });
    // The creator is the first participant (the row lists them with later joiners).
    await this.deps.membership.add(conversation.id, actor.id, 'creator');
    const openings = input.messages?.length
      ? input.messages
      : setting.opening_messages.map((m) => ({ content: m.content, character_id: String(m.character_id) }));
    const stored = openings.length
      ? await this.deps.repository.insertMessages(
          openings.map((opening, index): ChatMessageRecord => {
            const character = cast.find((member) => member.id === String(opening.character_id));
            const sequence = index + 1;
            return {
              id: this.deps.ids.snowflake(),
              conversation_id: conversation.id,
              sequence,
              role: 'assistant',
              character_id: character?.id ?? null,
              character_name: character?.name ?? null,
              author_user_id: null,
              author_name: null,
              content: opening.content,
              is_opening: true,
              swipes: null,
              created_at: new Date(now.getTime() + sequence),
            };
          }),
        )
      : [];
    // The first reply follows at once: it finds the conversation in memory.
    this.deps.conversations.created(conversation, stored);
    return { conversation, lastMessageId: stored.at(-1)?.id ?? null };
  }

  /** The latest active conversation of a story the actor created or joined, or null. */
  async findConversation(actor: Actor, storyId: string): Promise<string | null> {
    const joined = await this.deps.membership.conversationsOf(actor.id);
    const row = await this.deps.repository.latestActive(storyId, actor.id, joined);
    return row?.id ?? null;
  }

  /** Participants end a conversation; so may staff (moderation). */
  async endConversation(actor: Actor, conversationId: string): Promise<void> {
    await this.deps.gate.access(actor, conversationId, 'end');
    await this.deps.repository.update(conversationId, { status: 'ended', updated_at: this.deps.clock.now() });
    this.deps.conversations.patchState(conversationId, { status: 'ended' });
    // Other nodes hold the conversation in memory: they hear that it ended (so do its clients).
    void this.deps.conversations.publish(conversationId, 'conversation.ended', {
      conversation_id: conversationId,
    });
  }

  /** Who may see a conversation (its socket.io room): its participants and staff. */
  async canView(actor: Actor, conversationId: string): Promise<boolean> {
    try {
      await this.deps.gate.access(actor, conversationId, 'read');
      return true;
    } catch {
      return false;
    }
  }

  /** A one-time invite code into a conversation, made by one of its participants (24 h). */
  async invite(
    actor: Actor,
    conversationId: string,
  ): Promise<{ code: string; conversation_id: string; expires_at: string }> {
    await this.deps.gate.load(actor, conversationId, 'write');
    const invite = await this.deps.membership.invite(conversationId, actor);
    return { ...invite, conversation_id: conversationId };
  }

  /** Redeems an invite code: the actor becomes a participant. Unknown, used or expired: 404. */
  async join(
    actor: Actor,
    code: string,
  ): Promise<{ conversation_id: string; story_id: string; status: string }> {
    const conversationId = await this.deps.membership.redeem(actor, code);
    const conversation = conversationId ? await this.deps.conversations.state(conversationId) : null;
    if (!conversation) throw new NotFoundError('Invite');
    return { conversation_id: conversation.id, story_id: conversation.story_id, status: conversation.status };
  }

  /** The story's characters in its order (what replies and the bots' story cards show). */
  loadCast(story: StoryRecord): Promise<CharacterRecord[]> {
    return this.deps.rows.cast(story);
  }

  /**
   * A page of history, oldest first. With a cursor (time or message id) it returns the messages
   * before it, so a client scrolls back; without one, the latest page.
   */
  async history(
    actor: Actor,
    conversationId: string,
    cursor: { beforeTime?: Date; beforeId?: string; limit?: number } = {},
  ): Promise<ChatMessageView[]> {
    await this.deps.gate.access(actor, conversationId, 'read');
    let beforeSequence: number | undefined;
    if (cursor.beforeId) {
      const anchor = await this.deps.repository.messageIn(conversationId, cursor.beforeId);
      if (!anchor) throw new NotFoundError('Message');
      beforeSequence = anchor.sequence;
    }
    const bounds = {
      beforeSequence,
      beforeTime: beforeSequence === undefined ? cursor.beforeTime : undefined,
      limit: Math.min(cursor.limit ?? 50, 200),
    };
    const read = async () =>
      (await this.deps.repository.page(conversationId, bounds)).reverse().map(messageView);
    // The latest page (what clients reload) comes from memory until the conversation changes;
    // the access check above runs for every request.
    const latest = !cursor.beforeId && !cursor.beforeTime && cursor.limit === undefined;
    if (!latest) return read();
    return this.deps.conversations.latestPage(conversationId, read);
  }

  async addUserMessage(
    actor: Actor,
    conversationId: string,
    content: string,
    authorName?: string,
  ): Promise<ChatMessageView> {
    await this.deps.gate.load(actor, conversationId, 'write');
    if (!content.trim()) throw new ValidationError('Message is empty');
    const row = await this.deps.conversations.append(conversationId, {
      id: this.deps.ids.snowflake(),
      role: 'user',
      character_id: null,
      character_name: null,
      author_user_id: actor.id,
      author_name: authorName ?? actor.displayName ?? actor.username ?? 'User',
      content,
      is_opening: false,
      swipes: null,
    });
    return messageView(row);
  }

  async editMessage(actor: Actor, messageId: string, content: string): Promise<ChatMessageView> {
    const { row, conversation } = await this.writableMessage(actor, messageId);
    if (!mayEditMessage(actor, row, conversation.user_id))
      throw new ForbiddenError('You cannot edit this message');
    return this.rewrite(row, { content });
  }

  /**
   * Brings back an earlier version of a character's reply (a swipe): `swipes[index]` becomes the
   * content the story goes on from, and the version shown until now takes its place among the
   * swipes, so no version is ever lost. Whoever may regenerate the reply may choose among them.
   */
  async selectSwipe(actor: Actor, messageId: string, index: number): Promise<ChatMessageView> {
    const { row, conversation } = await this.writableMessage(actor, messageId);
    assertActive(conversation);
    const swipes = row.swipes ? (JSON.parse(row.swipes) as string[]) : [];
    if (row.role !== 'assistant' || !Number.isInteger(index) || index < 0 || index >= swipes.length)
      throw new AppError('SWIPE_NOT_FOUND', 'This reply has no such earlier version', { status: 404 });
    const chosen = swipes[index];
    swipes[index] = row.content;
    return this.rewrite(row, { content: chosen, swipes: JSON.stringify(swipes) });
  }

  /**
   * A message the actor may write to, with its conversation. Outsiders learn nothing about the
   * message either (404); staff may read but not write (403).
   */
  private async writableMessage(actor: Actor, messageId: string) {
    const row = await this.deps.repository.message(messageId);
    if (!row) throw new NotFoundError('Message');
    const conversation = await this.deps.conversations.state(row.conversation_id);
    const standing = conversation
      ? standingOf(actor, await this.deps.membership.facts(actor, conversation))
      : 'none';
    if (!conversation || standing === 'none') throw new NotFoundError('Message');
    assertMayDo(standing, 'write');
    return { row, conversation };
  }

  /** Stores a message's new content; memory here and on other nodes (and its clients) learn of it. */
  private async rewrite(
    row: ChatMessageRecord,
    patch: { content: string; swipes?: string },
  ): Promise<ChatMessageView> {
    const updated = await this.deps.repository.updateMessage(row, patch);
    this.deps.conversations.replaced(updated.conversation_id, updated);
    const view = messageView(updated);
    void this.deps.conversations.publish(updated.conversation_id, 'message.edited', {
      conversation_id: updated.conversation_id,
      message: view,
    });
    return view;
  }
}
