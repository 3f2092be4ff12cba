import { Op, UniqueConstraintError } from 'sequelize';
import type { MembershipRepository } from '../../story/access/membership.repository.js';
import type { StoryChatBindingRow } from './story-chat-binding.model.js';
import type { StoryModels } from './story.models.js';

/** `conversation_participants`, `conversation_invites` and (when given) `story_chat_bindings`. */
export function sequelizeMembershipRepository(
  {
    ConversationParticipant,
    ConversationInvite,
  }: Pick<StoryModels, 'ConversationParticipant' | 'ConversationInvite'>,
  /** The bots' place bindings; without it (unit tests) no place plays a conversation. */
  bindings?: typeof StoryChatBindingRow,
): MembershipRepository {
  return {
    async isParticipant(conversationId, userId) {
      const row = await ConversationParticipant.findOne({
        where: { conversation_id: conversationId, user_id: userId },
        attributes: ['user_id'],
      });
      return !!row;
    },
    async boundConversation(platform, channel) {
      if (!bindings) return null;
      const binding = await bindings.findOne({
        where: { platform, active_channel: channel },
        attributes: ['conversation_id'],
      });
      return binding?.conversation_id ?? null;
    },
    async addParticipant(row) {
      try {
        await ConversationParticipant.create(row);
      } catch (error) {
        if (!(error instanceof UniqueConstraintError)) throw error;
      }
    },
    async conversationsOf(userId) {
      const rows = await ConversationParticipant.findAll({
        where: { user_id: userId },
        attributes: ['conversation_id'],
      });
      return rows.map((row) => row.conversation_id);
    },
    async createInvite(row) {
      await ConversationInvite.create(row);
    },
    async spendInvite(codeHash, userId, now) {
      const [spent] = await ConversationInvite.update(
        { used_by: userId, used_at: now },
        { where: { code_hash: codeHash, used_at: null, expires_at: { [Op.gt]: now } } },
      );
      if (spent !== 1) return null;
      const invite = await ConversationInvite.findOne({ where: { code_hash: codeHash } });
      return invite?.conversation_id ?? null;
    },
    async forget(conversationIds) {
      const where = { conversation_id: { [Op.in]: conversationIds } };
      await ConversationInvite.destroy({ where });
      await ConversationParticipant.destroy({ where });
    },
  };
}
