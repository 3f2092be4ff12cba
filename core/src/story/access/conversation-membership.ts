import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../identity/actor.js';
import type { Clock } from '../../ports/clock.port.js';
import type { IdGenerator } from '../../shared/ids.js';
import type { ConversationFacts } from './conversation-access.js';
import type { MembershipRepository } from './membership.repository.js';

/** How long an invite code may be redeemed (once). */
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

interface Deps {
  /** Participants, invites and the bots' place bindings. */
  members: MembershipRepository;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * The facts conversation-access.ts decides on: participant rows (creator, invite) and the bots'
 * place bindings. Also issues and redeems invite codes: the code is shown once and only its hash
 * is stored, so a database reader cannot join with it; redeeming is one conditional UPDATE, so
 * two callers racing with one code cannot both get in.
 */
export class ConversationMembership {
  constructor(private readonly deps: Deps) {}

  async facts(actor: Actor, conversation: { id: string; user_id: string }): Promise<ConversationFacts> {
    const facts = { creatorId: conversation.user_id, isParticipant: false, playsBoundPlace: false };
    // The creator needs no lookup: the reply hot path of a member's own conversation stays I/O-free.
    if (conversation.user_id === actor.id) return facts;
    const [isParticipant, bound] = await Promise.all([
      this.deps.members.isParticipant(conversation.id, actor.id),
      this.playsBoundPlace(actor, conversation.id),
    ]);
    return { ...facts, isParticipant, playsBoundPlace: bound };
  }

  /** True when the bot says the member acts in the place whose active binding is this conversation. */
  private async playsBoundPlace(actor: Actor, conversationId: string): Promise<boolean> {
    if (!actor.place) return false;
    return (
      (await this.deps.members.boundConversation(actor.place.platform, actor.place.channel)) ===
      conversationId
    );
  }

  /** Adds a participant; joining twice is harmless. */
  async add(conversationId: string, userId: string, via: 'creator' | 'invite'): Promise<void> {
    await this.deps.members.addParticipant({
      conversation_id: conversationId,
      user_id: userId,
      joined_via: via,
      created_at: this.deps.clock.now(),
    });
  }

  /** Conversations the user takes part in through a row (not bound places). */
  async conversationsOf(userId: string): Promise<string[]> {
    return this.deps.members.conversationsOf(userId);
  }

  /** A new one-time invite code into the conversation (the caller's access is checked by the caller). */
  async invite(conversationId: string, by: Actor): Promise<{ code: string; expires_at: string }> {
    const code = `inv_${randomBytes(18).toString('base64url')}`;
    const now = this.deps.clock.now();
    const expires = new Date(now.getTime() + INVITE_TTL_MS);
    await this.deps.members.createInvite({
      id: this.deps.ids.snowflake(),
      conversation_id: conversationId,
      code_hash: hash(code),
      created_by: by.id,
      created_at: now,
      expires_at: expires,
    });
    return { code, expires_at: expires.toISOString() };
  }

  /** Spends a live code for `actor` and makes them a participant; null for unknown, used or expired codes. */
  async redeem(actor: Actor, code: string): Promise<string | null> {
    const conversationId = await this.deps.members.spendInvite(hash(code), actor.id, this.deps.clock.now());
    if (!conversationId) return null;
    await this.add(conversationId, actor.id, 'invite');
    return conversationId;
  }

  /** Retention: the rows of deleted conversations (engines without enforced foreign keys keep them). */
  async forget(conversationIds: string[]): Promise<void> {
    if (!conversationIds.length) return;
    await this.deps.members.forget(conversationIds);
  }
}
