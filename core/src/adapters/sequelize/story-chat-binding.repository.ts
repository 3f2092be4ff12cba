import { UniqueConstraintError } from 'sequelize';
import {
  PlaceTakenError,
  type StoryChatBindingRepository,
} from '../../story/story-chat-binding.repository.js';
import type { StoryChatBindingRow } from './story-chat-binding.model.js';

/** The `story_chat_bindings` table; its unique index on (platform, active_channel) decides races. */
export function sequelizeStoryChatBindingRepository(
  Binding: typeof StoryChatBindingRow,
): StoryChatBindingRepository {
  return {
    active: (platform, channel) => Binding.findOne({ where: { platform, active_channel: channel } }),
    async insert(record) {
      try {
        return await Binding.create(record);
      } catch (error) {
        if (error instanceof UniqueConstraintError) throw new PlaceTakenError();
        throw error;
      }
    },
    async endIfActive(id, channel, end) {
      await Binding.update(
        { active_channel: null, ended_at: end.ended_at, ended_by: end.ended_by },
        { where: { id, active_channel: channel } },
      );
    },
  };
}
