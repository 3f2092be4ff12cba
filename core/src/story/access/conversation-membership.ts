import { createHash, randomBytes } from 'node:crypto';
import { Op, UniqueConstraintError } from 'sequelize';
import type { StoryModels } from '../../adapters/sequelize/story.models.js';
import type { StoryChatBindingRow } from '../../adapters/sequelize/story-chat-binding.model.js';
import type { Actor } from '../../identity/actor.js';
import type { Clock } from '../../ports/clock.port.js';
import type { IdGenerator } from '../../shared/ids.js';
import type { ConversationFacts } from './conversation-access.js';

/** How long an invite code may be redeemed (once). */
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

interface Deps {
  models: Pick<StoryModels, 'ConversationParticipant' | 'ConversationInvite'>;
  /** The bots' place bindings; without it (unit tests) no place grants participation. */
  bindings?: typeof StoryChatBindingRow;
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
    const [row, bound] = await Promise.all([
      this.deps.models.ConversationParticipant.findOne({
        where: { conversation_id: conversation.id, user_id: actor.id },
        attributes: ['user_id'],
      }),
      this.playsBoundPlace(actor, conversation.id),
    ]);
    return { ...facts, isParticipant: !!row, playsBoundPlace: bound };
  }

  /** True when the bot says the member acts in the place whose active binding is this conversation. */
  private async playsBoundPlace(actor: Actor, conversationId: string): Promise<boolean> {
    if (!actor.place || !this.deps.bindings) return false;
    const binding = await this.deps.bindings.findOne({
      where: { platform: actor.place.platform, active_channel: actor.place.channel },
      attributes: ['conversation_id'],
    });
    return binding?.conversation_id === conversationId;
  }

  /** Adds a participant; joining twice is harmless. */
  async add(conversationId: string, userId: string, via: 'creator' | 'invite'): Promise<void> {
    try {
      await this.deps.models.ConversationParticipant.create({
        conversation_id: conversationId,
        user_id: userId,
        joined_via: via,
        created_at: this.deps.clock.now(),
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
    }
  }

  /** Conversations the user takes part in through a row (not bound places). */
  async conversationsOf(userId: string): Promise<string[]> {
    const rows = await this.deps.models.ConversationParticipant.findAll({
      where: { user_id: userId },
      attributes: ['conversation_id'],
    });
    return rows.map((row) => row.conversation_id);
  }

  /** A new one-time invite code into the conversation (the caller's access is checked by the caller). */
  async invite(conversationId: string, by: Actor): Promise<{ code: string; expires_at: string }> {
    const code = `inv_${randomBytes(18).toString('base64url')}`;
    const now = this.deps.clock.now();
    const expires = new Date(now.getTime() + INVITE_TTL_MS);
    await this.deps.models.ConversationInvite.create({
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
    const { ConversationInvite } = this.deps.models;
    const now = this.deps.clock.now();
    const codeHash = hash(code);
    const [spent] = await ConversationInvite.update(
      { used_by: actor.id, used_at: now },
      { where: { code_hash: codeHash, used_at: null, expires_at: { [Op.gt]: now } } },
    );
    if (spent !== 1) return null;
    const invite = await ConversationInvite.findOne({ where: { code_hash: codeHash } });
    if (!invite) return null;
    await this.add(invite.conversation_id, actor.id, 'invite');
    return invite.conversation_id;
  }

  /** Retention: the rows of deleted conversations (engines without enforced foreign keys keep them). */
  async forget(conversationIds: string[]): Promise<void> {
    if (!conversationIds.length) return;
    const where = { conversation_id: { [Op.in]: conversationIds } };
    await this.deps.models.ConversationInvite.destroy({ where });
    await this.deps.models.ConversationParticipant.destroy({ where });
  }
}
