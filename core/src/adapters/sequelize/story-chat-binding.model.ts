import {
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { date, pk, str } from './column-types.js';

/**
 * Which conversation a platform place plays (contract 002 in the bots); the schema is owned by
 * migrations/0009-story-chat-bindings.ts.
 */
export class StoryChatBindingRow extends Model<
  InferAttributes<StoryChatBindingRow>,
  InferCreationAttributes<StoryChatBindingRow>
> {
  declare id: string;
  /** discord | telegram */
  declare platform: string;
  /** Discord thread id, or Telegram `<chat id>:<topic id or empty>`. */
  declare channel: string;
  /** `channel` while active, NULL once ended (the unique index allows one active per place). */
  declare active_channel: string | null;
  declare parent_channel: string | null;
  declare conversation_id: string;
  declare story_id: string;
  declare started_by: string;
  declare ended_by: CreationOptional<string | null>;
  declare created_at: Date;
  declare ended_at: CreationOptional<Date | null>;
}

export function defineStoryChatBindingModel(sequelize: Sequelize): typeof StoryChatBindingRow {
  class StoryChatBinding extends StoryChatBindingRow {}
  StoryChatBinding.init(
    {
      id: pk(),
      platform: str(16),
      channel: str(128),
      active_channel: str(128, true),
      parent_channel: str(64, true),
      conversation_id: str(36),
      story_id: str(36),
      started_by: str(36),
      ended_by: str(36, true),
      created_at: date(),
      ended_at: date(true),
    },
    { sequelize, tableName: 'story_chat_bindings', timestamps: false },
  );
  return StoryChatBinding;
}
