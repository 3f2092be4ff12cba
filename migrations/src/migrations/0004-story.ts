import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 002 (story chat): AI model catalog, prompt templates, characters, stories, story
 * templates, system prompt posts, art styles, music, languages, conversations and their
 * messages, and wallet (paw_) sessions. Factories everywhere: Sequelize mutates definitions.
 */
const id = () => ({ type: DataTypes.STRING(36), primaryKey: true, allowNull: false });
const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const text = (allowNull = false) => ({ type: DataTypes.TEXT, allowNull });
const int = (defaultValue?: number) => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue });
const bool = (defaultValue: boolean) => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });

const TABLES = [
  'paw_sessions',
  'chat_messages',
  'conversations',
  'languages',
  'music_types',
  'music',
  'art_styles',
  'system_prompt_posts',
  'story_templates',
  'stories',
  'story_characters',
  'prompt_templates',
  'ai_models',
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('ai_models', {
    id: id(),
    llm_id: str(128),
    name: str(128),
    type: str(16),
    provider_model: str(128),
    base_url: str(255, true),
    api_key_enc: text(true),
    temperature: { type: DataTypes.FLOAT, allowNull: true },
    max_tokens: { type: DataTypes.INTEGER, allowNull: true },
    is_active: bool(true),
    usage_count: int(0),
    last_used_at: time(true),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('ai_models', ['llm_id'], { unique: true, name: 'ai_models_llm_id' });
  await qi.addIndex('ai_models', ['type', 'is_active', 'last_used_at'], { name: 'ai_models_type_used' });

  await qi.createTable('prompt_templates', {
    id: id(),
    type: str(64),
    name: str(128),
    content: text(),
    is_active: bool(true),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('prompt_templates', ['type'], { name: 'prompt_templates_type' });

  await qi.createTable('story_characters', {
    id: id(),
    user_id: str(36, true),
    name: str(128),
    description: text(),
    personality: text(),
    background: text(),
    language: str(32, true),
    image_url: str(1024, true),
    icon_url: str(1024, true),
    image_prompt: text(true),
    llm_id: str(128, true),
    character_type: str(16),
    talkativeness: { type: DataTypes.FLOAT, allowNull: false, defaultValue: 0.5 },
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('story_characters', ['user_id'], { name: 'story_characters_user' });

  await qi.createTable('stories', {
    id: id(),
    user_id: str(36),
    title: str(255),
    setting: text(),
    template_id: str(64, true),
    template_content: text(true),
    character_ids: text(),
    background_music_id: str(36, true),
    bg_image_url: str(1024, true),
    language: str(32, true),
    is_published: bool(false),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('stories', ['user_id', 'created_at'], { name: 'stories_user' });

  await qi.createTable('story_templates', {
    id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    name: str(255),
    thumbnail: str(1024, true),
    introduction: text(true),
    components: text(),
    max_characters: int(5),
    hidden_prompt: text(true),
    status: str(16),
    created_at: time(),
    updated_at: time(),
  });

  await qi.createTable('system_prompt_posts', { id: id(), content: text(), created_at: time() });
  await qi.createTable('art_styles', {
    id: id(),
    name: str(128),
    keyword: str(255),
    thumbnail: str(1024, true),
    status: str(16),
    created_at: time(),
  });
  await qi.createTable('music', {
    id: id(),
    name: str(255),
    url: str(1024),
    type: str(64),
    created_at: time(),
  });
  await qi.createTable('music_types', { id: id(), name: str(64), created_at: time() });
  await qi.addIndex('music_types', ['name'], { unique: true, name: 'music_types_name' });
  await qi.createTable('languages', { id: id(), language: str(64), created_at: time() });

  await qi.createTable('conversations', {
    id: id(),
    story_id: str(36),
    user_id: str(36),
    status: str(16),
    summary: text(true),
    summary_upto: int(0),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('conversations', ['story_id', 'user_id'], { name: 'conversations_story_user' });
  await qi.addIndex('conversations', ['updated_at'], { name: 'conversations_updated' });

  await qi.createTable('chat_messages', {
    id: id(),
    conversation_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'conversations', key: 'id' },
      onDelete: 'CASCADE',
    },
    sequence: int(),
    role: str(16),
    character_id: str(36, true),
    character_name: str(128, true),
    author_user_id: str(36, true),
    author_name: str(128, true),
    content: text(),
    is_opening: bool(false),
    swipes: text(true),
    created_at: time(),
  });
  await qi.addIndex('chat_messages', ['conversation_id', 'sequence'], {
    unique: true,
    name: 'chat_messages_conversation_sequence',
  });

  await qi.createTable('paw_sessions', {
    user_id: {
      type: DataTypes.STRING(36),
      primaryKey: true,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    token_hash: str(64),
    token_enc: text(),
    expires_at: time(),
    last_login_at: time(),
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of TABLES) await qi.dropTable(table);
}
