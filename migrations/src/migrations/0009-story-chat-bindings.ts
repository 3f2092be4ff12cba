import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 002 in the bots: which conversation a platform place (a Discord thread, a Telegram
 * chat or forum topic) is playing. It lives here rather than in a bot's memory so a restarted
 * bot, or a second bot process, continues the same story.
 *
 * `active_channel` equals `channel` while the binding is active and is NULL once it has ended:
 * MySQL has no partial indexes, but both engines let a UNIQUE index hold many NULLs, so
 * (platform, active_channel) allows one active binding per place and any number of ended ones.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
  const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
  await qi.createTable('story_chat_bindings', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    platform: str(16),
    channel: str(128),
    active_channel: str(128, true),
    /** Discord: the channel that owns the thread (its webhook speaks for the characters). */
    parent_channel: str(64, true),
    conversation_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    story_id: str(36),
    started_by: str(36),
    ended_by: str(36, true),
    created_at: time(),
    ended_at: time(true),
  });
  await qi.addIndex('story_chat_bindings', ['platform', 'active_channel'], {
    unique: true,
    name: 'story_chat_bindings_active',
  });
  await qi.addIndex('story_chat_bindings', ['conversation_id'], { name: 'story_chat_bindings_conversation' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('story_chat_bindings');
}
