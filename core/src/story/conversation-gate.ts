import { AppError, NotFoundError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { ConversationMembership } from './access/conversation-membership.js';
import { assertMayDo, standingOf, type ConversationAction } from './access/conversation-access.js';
import type { ConversationState } from './conversation-window.cache.js';
import type { ConversationStore } from './conversation.store.js';
import type { StorySetting } from './story-setting.js';
import type { CharacterRecord } from './catalog/character.repository.js';
import type { StoryRecord } from './catalog/story.repository.js';
import type { StoryRowsCache } from './story-rows.cache.js';

/** A conversation someone may act on, with what its replies read. */
export interface LoadedConversation {
  conversation: ConversationState;
  story: StoryRecord;
  setting: StorySetting;
  cast: CharacterRecord[];
}

interface Deps {
  conversations: ConversationStore;
  membership: ConversationMembership;
  rows: StoryRowsCache;
}

/**
 * The one place conversation-access.ts is applied to a conversation (404 to outsiders, 403 to
 * staff writing, 409 once it has ended), shared by the conversation and reply services.
 */
export class ConversationGate {
  constructor(private readonly deps: Deps) {}

  /** Applies conversation-access.ts: 404 to outsiders, 403 to staff writing. */
  async access(actor: Actor, conversationId: string, action: ConversationAction) {
    const conversation = await this.deps.conversations.state(conversationId);
    if (!conversation) throw new NotFoundError('Conversation');
    assertMayDo(standingOf(actor, await this.deps.membership.facts(actor, conversation)), action);
    const story = await this.deps.rows.story(conversation.story_id);
    if (!story) throw new NotFoundError('Story');
    return { conversation, story };
  }

  /** {@link access}, then (to write) the conversation must still be active; with its story's setting and cast. */
  async load(actor: Actor, conversationId: string, mode: 'read' | 'write'): Promise<LoadedConversation> {
    const { conversation, story } = await this.access(actor, conversationId, mode);
    if (mode === 'write') assertActive(conversation);
    return {
      conversation,
      story,
      setting: this.deps.rows.setting(story),
      cast: await this.deps.rows.cast(story),
    };
  }
}

/** Writes to an ended conversation are refused (409). */
export function assertActive(conversation: { status: string }): void {
  if (conversation.status !== 'active')
    throw new AppError('CONVERSATION_ENDED', 'This conversation has ended', { status: 409 });
}
