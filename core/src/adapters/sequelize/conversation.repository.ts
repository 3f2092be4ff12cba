import { Op, UniqueConstraintError, type WhereOptions } from 'sequelize';
import {
  SequenceTakenError,
  type ChatMessageRecord,
  type ConversationRecord,
  type ConversationRepository,
  type PageBounds,
} from '../../story/conversation.repository.js';
import type { ChatMessageRow, ConversationRow, StoryModels } from './story.models.js';

/** Conversations and chat messages in the `conversations` and `chat_messages` tables. */
export function sequelizeConversationRepository(
  models: Pick<StoryModels, 'Conversation' | 'ChatMessage'>,
): ConversationRepository {
  const { Conversation, ChatMessage } = models;
  const conversationOf = (row: ConversationRow | null): ConversationRecord | null =>
    row ? row.get({ plain: true }) : null;
  const messageOf = (row: ChatMessageRow | null): ChatMessageRecord | null =>
    row ? row.get({ plain: true }) : null;
  /** Plain rows straight from the driver: no model instance per message on paths members poll. */
  const raw = async (
    where: WhereOptions<ChatMessageRow>,
    order: 'ASC' | 'DESC',
    limit?: number,
  ): Promise<ChatMessageRecord[]> =>
    (await ChatMessage.findAll({
      where,
      order: [['sequence', order]],
      ...(limit === undefined ? {} : { limit }),
      raw: true,
    })) as unknown as ChatMessageRecord[];

  return {
    async createConversation(record) {
      return (await Conversation.create(record)).get({ plain: true });
    },
    async conversation(id) {
      return (await Conversation.findByPk(id, { raw: true })) as ConversationRecord | null;
    },
    async latestActive(storyId, userId, joinedIds) {
      return conversationOf(
        await Conversation.findOne({
          where: {
            story_id: storyId,
            status: 'active',
            [Op.or]: [{ user_id: userId }, ...(joinedIds.length ? [{ id: { [Op.in]: joinedIds } }] : [])],
          },
          order: [['created_at', 'DESC']],
        }),
      );
    },
    async storyIdsStartedBy(userId) {
      const rows = await Conversation.findAll({ where: { user_id: userId }, attributes: ['story_id'] });
      return rows.map((row) => row.story_id);
    },
    async update(id, patch) {
      await Conversation.update(patch, { where: { id } });
    },
    async untouchedSince(cutoff, limit) {
      const rows = await Conversation.findAll({
        where: { updated_at: { [Op.lt]: cutoff } },
        attributes: ['id'],
        limit,
      });
      return rows.map((row) => row.id);
    },
    async deleteConversations(ids) {
      await ChatMessage.destroy({ where: { conversation_id: { [Op.in]: ids } } });
      await Conversation.destroy({ where: { id: { [Op.in]: ids } } });
    },

    async message(id) {
      return messageOf(await ChatMessage.findByPk(id));
    },
    async messageIn(conversationId, id) {
      return messageOf(await ChatMessage.findOne({ where: { id, conversation_id: conversationId } }));
    },
    async lastMessage(conversationId) {
      return messageOf(
        await ChatMessage.findOne({
          where: { conversation_id: conversationId },
          order: [['sequence', 'DESC']],
        }),
      );
    },
    async recent(conversationId, limit) {
      return (await raw({ conversation_id: conversationId }, 'DESC', limit)).reverse();
    },
    page(conversationId, bounds: PageBounds) {
      const where: WhereOptions<ChatMessageRow> = { conversation_id: conversationId };
      if (bounds.beforeSequence !== undefined)
        Object.assign(where, { sequence: { [Op.lt]: bounds.beforeSequence } });
      else if (bounds.beforeTime) Object.assign(where, { created_at: { [Op.lt]: bounds.beforeTime } });
      return raw(where, 'DESC', bounds.limit);
    },
    async between(conversationId, after, before) {
      const rows = await ChatMessage.findAll({
        where: { conversation_id: conversationId, sequence: { [Op.gt]: after, [Op.lt]: before } },
        order: [['sequence', 'ASC']],
      });
      return rows.map((row) => row.get({ plain: true }));
    },
    async maxSequence(conversationId) {
      return (
        ((await ChatMessage.max('sequence', { where: { conversation_id: conversationId } })) as number) ?? 0
      );
    },
    async insertMessages(records) {
      try {
        const rows = await ChatMessage.bulkCreate(records);
        return rows.map((row) => row.get({ plain: true }));
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw new SequenceTakenError();
        throw error;
      }
    },
    async updateMessage(message, patch) {
      await ChatMessage.update(patch, { where: { id: message.id } });
      return { ...message, ...patch };
    },
  };
}
