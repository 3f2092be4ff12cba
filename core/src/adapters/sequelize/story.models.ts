import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type CreationOptional,
  type Sequelize,
} from 'sequelize';
import { bool, date, int, pk, str, text } from './column-types.js';

/* Row types of contract 002 (story chat); the schema is owned by migrations/0004-story.ts (and 0011). */

export class AiModelRow extends Model<InferAttributes<AiModelRow>, InferCreationAttributes<AiModelRow>> {
  declare id: string;
  /** The contract's `model_id` / `llm_id`, e.g. `deepseek-chat`. */
  declare llm_id: string;
  declare name: string;
  /** chat | other | t2i | i2t */
  declare type: string;
  /** Upstream model name sent to the provider. */
  declare provider_model: string;
  declare base_url: string | null;
  declare api_key_enc: string | null;
  declare temperature: number | null;
  declare max_tokens: number | null;
  declare is_active: CreationOptional<boolean>;
  declare usage_count: CreationOptional<number>;
  declare last_used_at: CreationOptional<Date | null>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class PromptTemplateRow extends Model<
  InferAttributes<PromptTemplateRow>,
  InferCreationAttributes<PromptTemplateRow>
> {
  declare id: string;
  declare type: string;
  declare name: string;
  declare content: string;
  declare is_active: CreationOptional<boolean>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class CharacterRow extends Model<
  InferAttributes<CharacterRow>,
  InferCreationAttributes<CharacterRow>
> {
  declare id: string;
  declare user_id: string | null;
  declare name: string;
  declare description: string;
  declare personality: string;
  declare background: string;
  declare language: string | null;
  declare image_url: string | null;
  declare icon_url: string | null;
  declare image_prompt: string | null;
  declare llm_id: string | null;
  /** character | narrator */
  declare character_type: string;
  declare talkativeness: number;
  /** Anyone signed in may read and cast it (migration 0011); otherwise private to its owner. */
  declare is_public: CreationOptional<boolean>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class StoryRow extends Model<InferAttributes<StoryRow>, InferCreationAttributes<StoryRow>> {
  declare id: string;
  declare user_id: string;
  declare title: string;
  /** JSON of the contract's `setting` object. */
  declare setting: string;
  declare template_id: string | null;
  declare template_content: string | null;
  /** JSON array of character ids in list order. */
  declare character_ids: string;
  declare background_music_id: string | null;
  declare bg_image_url: string | null;
  declare language: string | null;
  declare is_published: CreationOptional<boolean>;
  /** The intro the LLM wrote at publish time (contract `generated_background`); NULL until written. */
  declare generated_background: CreationOptional<string | null>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class StoryTemplateRow extends Model<
  InferAttributes<StoryTemplateRow>,
  InferCreationAttributes<StoryTemplateRow>
> {
  declare id: string;
  declare name: string;
  declare thumbnail: string | null;
  declare introduction: string | null;
  declare components: string;
  declare max_characters: number;
  declare hidden_prompt: string | null;
  declare status: string;
  declare created_at: Date;
  declare updated_at: Date;
}

export class SystemPromptPostRow extends Model<
  InferAttributes<SystemPromptPostRow>,
  InferCreationAttributes<SystemPromptPostRow>
> {
  declare id: string;
  declare content: string;
  declare created_at: Date;
}

export class ArtStyleRow extends Model<InferAttributes<ArtStyleRow>, InferCreationAttributes<ArtStyleRow>> {
  declare id: string;
  declare name: string;
  declare keyword: string;
  declare thumbnail: string | null;
  declare status: string;
  declare created_at: Date;
}

export class MusicRow extends Model<InferAttributes<MusicRow>, InferCreationAttributes<MusicRow>> {
  declare id: string;
  declare name: string;
  declare url: string;
  declare type: string;
  declare created_at: Date;
}

export class MusicTypeRow extends Model<
  InferAttributes<MusicTypeRow>,
  InferCreationAttributes<MusicTypeRow>
> {
  declare id: string;
  declare name: string;
  declare created_at: Date;
}

export class LanguageRow extends Model<InferAttributes<LanguageRow>, InferCreationAttributes<LanguageRow>> {
  declare id: string;
  declare language: string;
  declare created_at: Date;
}

export class ConversationRow extends Model<
  InferAttributes<ConversationRow>,
  InferCreationAttributes<ConversationRow>
> {
  declare id: string;
  declare story_id: string;
  declare user_id: string;
  declare status: string;
  declare summary: string | null;
  /** Messages up to this sequence are folded into `summary`. */
  declare summary_upto: number;
  declare created_at: Date;
  declare updated_at: Date;
}

export class ChatMessageRow extends Model<
  InferAttributes<ChatMessageRow>,
  InferCreationAttributes<ChatMessageRow>
> {
  declare id: string;
  declare conversation_id: string;
  declare sequence: number;
  /** user | assistant */
  declare role: string;
  declare character_id: string | null;
  declare character_name: string | null;
  declare author_user_id: string | null;
  declare author_name: string | null;
  declare content: string;
  declare is_opening: boolean;
  /** JSON array of earlier versions (regenerate keeps them). */
  declare swipes: string | null;
  declare created_at: Date;
}

/** Who may read and write a conversation besides a bound channel's players (migration 0011). */
export class ConversationParticipantRow extends Model<
  InferAttributes<ConversationParticipantRow>,
  InferCreationAttributes<ConversationParticipantRow>
> {
  declare conversation_id: string;
  declare user_id: string;
  /** creator | invite */
  declare joined_via: string;
  declare created_at: Date;
}

/** A one-time, expiring invite into a conversation; only the code's SHA-256 is kept. */
export class ConversationInviteRow extends Model<
  InferAttributes<ConversationInviteRow>,
  InferCreationAttributes<ConversationInviteRow>
> {
  declare id: string;
  declare conversation_id: string;
  declare code_hash: string;
  declare created_by: string;
  declare created_at: Date;
  declare expires_at: Date;
  declare used_by: CreationOptional<string | null>;
  declare used_at: CreationOptional<Date | null>;
}

export class PawSessionRow extends Model<
  InferAttributes<PawSessionRow>,
  InferCreationAttributes<PawSessionRow>
> {
  declare user_id: string;
  declare token_hash: string;
  /** The live token sealed with SecretBox, so a login with a live token can return it. */
  declare token_enc: string;
  declare expires_at: Date;
  declare last_login_at: Date;
}

export interface StoryModels {
  AiModel: typeof AiModelRow;
  PromptTemplate: typeof PromptTemplateRow;
  Character: typeof CharacterRow;
  Story: typeof StoryRow;
  StoryTemplate: typeof StoryTemplateRow;
  SystemPromptPost: typeof SystemPromptPostRow;
  ArtStyle: typeof ArtStyleRow;
  Music: typeof MusicRow;
  MusicType: typeof MusicTypeRow;
  Language: typeof LanguageRow;
  Conversation: typeof ConversationRow;
  ChatMessage: typeof ChatMessageRow;
  ConversationParticipant: typeof ConversationParticipantRow;
  ConversationInvite: typeof ConversationInviteRow;
  PawSession: typeof PawSessionRow;
}

// Factories, not shared objects: Sequelize writes into attribute definitions.

export function defineStoryModels(sequelize: Sequelize): StoryModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class AiModel extends AiModelRow {}
  AiModel.init(
    {
      id: pk(),
      llm_id: str(128),
      name: str(128),
      type: str(16),
      provider_model: str(128),
      base_url: str(255, true),
      api_key_enc: text(true),
      temperature: { type: DataTypes.FLOAT, allowNull: true },
      max_tokens: { type: DataTypes.INTEGER, allowNull: true },
      is_active: bool(true),
      usage_count: { ...int(), defaultValue: 0 },
      last_used_at: date(true),
      created_at: date(),
      updated_at: date(),
    },
    options('ai_models'),
  );
  class PromptTemplate extends PromptTemplateRow {}
  PromptTemplate.init(
    {
      id: pk(),
      type: str(64),
      name: str(128),
      content: text(),
      is_active: bool(true),
      created_at: date(),
      updated_at: date(),
    },
    options('prompt_templates'),
  );
  class Character extends CharacterRow {}
  Character.init(
    {
      id: pk(),
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
      talkativeness: { type: DataTypes.FLOAT, allowNull: false },
      is_public: bool(false),
      created_at: date(),
      updated_at: date(),
    },
    options('story_characters'),
  );
  class Story extends StoryRow {}
  Story.init(
    {
      id: pk(),
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
      generated_background: text(true),
      created_at: date(),
      updated_at: date(),
    },
    options('stories'),
  );
  class StoryTemplate extends StoryTemplateRow {}
  StoryTemplate.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      name: str(255),
      thumbnail: str(1024, true),
      introduction: text(true),
      components: text(),
      max_characters: int(),
      hidden_prompt: text(true),
      status: str(16),
      created_at: date(),
      updated_at: date(),
    },
    options('story_templates'),
  );
  class SystemPromptPost extends SystemPromptPostRow {}
  SystemPromptPost.init({ id: pk(), content: text(), created_at: date() }, options('system_prompt_posts'));
  class ArtStyle extends ArtStyleRow {}
  ArtStyle.init(
    {
      id: pk(),
      name: str(128),
      keyword: str(255),
      thumbnail: str(1024, true),
      status: str(16),
      created_at: date(),
    },
    options('art_styles'),
  );
  class Music extends MusicRow {}
  Music.init(
    { id: pk(), name: str(255), url: str(1024), type: str(64), created_at: date() },
    options('music'),
  );
  class MusicType extends MusicTypeRow {}
  MusicType.init({ id: pk(), name: str(64), created_at: date() }, options('music_types'));
  class Language extends LanguageRow {}
  Language.init({ id: pk(), language: str(64), created_at: date() }, options('languages'));
  class Conversation extends ConversationRow {}
  Conversation.init(
    {
      id: pk(),
      story_id: str(36),
      user_id: str(36),
      status: str(16),
      summary: text(true),
      summary_upto: { ...int(), defaultValue: 0 },
      created_at: date(),
      updated_at: date(),
    },
    options('conversations'),
  );
  class ChatMessage extends ChatMessageRow {}
  ChatMessage.init(
    {
      id: pk(),
      conversation_id: str(36),
      sequence: int(),
      role: str(16),
      character_id: str(36, true),
      character_name: str(128, true),
      author_user_id: str(36, true),
      author_name: str(128, true),
      content: text(),
      is_opening: bool(false),
      swipes: text(true),
      created_at: date(),
    },
    options('chat_messages'),
  );
  class ConversationParticipant extends ConversationParticipantRow {}
  ConversationParticipant.init(
    {
      conversation_id: { ...str(36), primaryKey: true },
      user_id: { ...str(36), primaryKey: true },
      joined_via: str(16),
      created_at: date(),
    },
    options('conversation_participants'),
  );
  class ConversationInvite extends ConversationInviteRow {}
  ConversationInvite.init(
    {
      id: pk(),
      conversation_id: str(36),
      code_hash: str(64),
      created_by: str(36),
      created_at: date(),
      expires_at: date(),
      used_by: str(36, true),
      used_at: date(true),
    },
    options('conversation_invites'),
  );
  class PawSession extends PawSessionRow {}
  PawSession.init(
    {
      user_id: pk(),
      token_hash: str(64),
      token_enc: text(),
      expires_at: date(),
      last_login_at: date(),
    },
    options('paw_sessions'),
  );
  return {
    AiModel,
    PromptTemplate,
    Character,
    Story,
    StoryTemplate,
    SystemPromptPost,
    ArtStyle,
    Music,
    MusicType,
    Language,
    Conversation,
    ChatMessage,
    ConversationParticipant,
    ConversationInvite,
    PawSession,
  };
}
