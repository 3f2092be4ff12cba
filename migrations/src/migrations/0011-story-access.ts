import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Object-level access for contract 002 (story chat):
 * - `story_characters.is_public`: a character is private to its owner unless this is set (the
 *   owner may set it; staff-made characters and the narrator are public). Existing narrators,
 *   ownerless rows and characters made by staff become public, as they were shared catalog.
 * - `conversation_participants`: who may read and write a conversation. The creator is the first
 *   participant (existing conversations get theirs here); others join with an invite code.
 *   Players of a bot-bound channel are participants through the binding, not through rows here.
 * - `conversation_invites`: one-time, expiring invite codes, stored only as a SHA-256 hash.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
  const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
  const conversation = {
    type: DataTypes.STRING(36),
    allowNull: false,
    references: { model: 'conversations', key: 'id' },
    onDelete: 'CASCADE',
  };

  await qi.addColumn('story_characters', 'is_public', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
  await qi.sequelize.query(
    `UPDATE story_characters SET is_public = 1
      WHERE character_type = 'narrator' OR user_id IS NULL
         OR user_id IN (SELECT id FROM users WHERE role IN ('staff', 'admin'))`,
  );

  await qi.createTable('conversation_participants', {
    conversation_id: { ...conversation, primaryKey: true },
    user_id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
    /** creator | invite */
    joined_via: str(16),
    created_at: time(),
  });
  await qi.addIndex('conversation_participants', ['user_id'], { name: 'conversation_participants_user' });
  await qi.sequelize.query(
    `INSERT INTO conversation_participants (conversation_id, user_id, joined_via, created_at)
     SELECT id, user_id, 'creator', created_at FROM conversations`,
  );

  await qi.createTable('conversation_invites', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    conversation_id: conversation,
    code_hash: str(64),
    created_by: str(36),
    created_at: time(),
    expires_at: time(),
    used_by: str(36, true),
    used_at: time(true),
  });
  await qi.addIndex('conversation_invites', ['code_hash'], {
    unique: true,
    name: 'conversation_invites_code',
  });
  await qi.addIndex('conversation_invites', ['conversation_id'], {
    name: 'conversation_invites_conversation',
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('conversation_invites');
  await qi.dropTable('conversation_participants');
  await qi.removeColumn('story_characters', 'is_public');
}
