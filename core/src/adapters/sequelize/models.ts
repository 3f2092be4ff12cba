import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type CreationOptional,
  type Sequelize,
} from 'sequelize';
import { date, int, pk, str } from './column-types.js';

/* Row types mirror migrations/0001-foundation.ts; the migration owns the schema, these only map it. */

export class UserRow extends Model<InferAttributes<UserRow>, InferCreationAttributes<UserRow>> {
  declare id: string;
  declare username: string | null;
  declare display_name: string | null;
  declare role: string;
  declare is_disabled: CreationOptional<boolean>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class IdentityRow extends Model<InferAttributes<IdentityRow>, InferCreationAttributes<IdentityRow>> {
  declare id: string;
  declare user_id: string;
  declare provider: string;
  declare subject: string;
  declare secret_hash: string | null;
  declare display_name: string | null;
  declare created_at: Date;
  declare last_seen_at: Date | null;
}

export class AccessTokenRow extends Model<
  InferAttributes<AccessTokenRow>,
  InferCreationAttributes<AccessTokenRow>
> {
  declare id: string;
  declare user_id: string;
  declare token_hash: string;
  declare kind: string;
  declare expires_at: Date;
  declare revoked_at: Date | null;
  declare created_at: Date;
}

export class ProviderAccountRow extends Model<
  InferAttributes<ProviderAccountRow>,
  InferCreationAttributes<ProviderAccountRow>
> {
  declare id: string;
  declare provider: string;
  declare name: string;
  declare account_type: number;
  declare site_type: string;
  declare secret_enc: string;
  declare secret_mask: string;
  /** HMAC of the normalised session id while the account is live (null once deleted); unique per provider. */
  declare session_hash: CreationOptional<string | null>;
  declare account_status: CreationOptional<number>;
  declare image_generation_status: CreationOptional<number>;
  declare video_generation_status: CreationOptional<number>;
  declare image_count: CreationOptional<number>;
  declare video_count: CreationOptional<number>;
  declare priority: CreationOptional<number>;
  declare weight: CreationOptional<number>;
  declare max_concurrent: CreationOptional<number>;
  declare quota_reset_time: Date;
  declare credits: CreationOptional<number | null>;
  declare credits_checked_at: CreationOptional<Date | null>;
  declare status_reason: CreationOptional<string | null>;
  declare last_error: CreationOptional<string | null>;
  declare last_error_at: CreationOptional<Date | null>;
  declare cooldown_until: CreationOptional<Date | null>;
  declare cooldown_level: CreationOptional<number>;
  declare last_used_at: CreationOptional<Date | null>;
  declare is_deleted: CreationOptional<boolean>;
  declare create_by: string | null;
  declare update_by: string | null;
  declare create_time: Date;
  declare update_time: Date;
}

export class GenerationTaskRow extends Model<
  InferAttributes<GenerationTaskRow>,
  InferCreationAttributes<GenerationTaskRow>
> {
  declare id: string;
  declare user_id: string;
  declare source: string;
  declare kind: string;
  declare provider: string;
  declare model: string;
  declare prompt: string;
  declare params: string;
  declare status: CreationOptional<string>;
  declare progress: CreationOptional<number>;
  declare requested_count: number;
  declare completed_count: CreationOptional<number>;
  declare priority: CreationOptional<number>;
  declare attempts: CreationOptional<number>;
  declare site_switch_count: CreationOptional<number>;
  declare account_id: CreationOptional<string | null>;
  declare batch_id: CreationOptional<string | null>;
  declare credits_used: CreationOptional<number>;
  declare error_code: CreationOptional<string | null>;
  declare error_message: CreationOptional<string | null>;
  declare visibility: CreationOptional<string>;
  declare started_at: CreationOptional<Date | null>;
  declare finished_at: CreationOptional<Date | null>;
  declare created_at: Date;
  declare updated_at: Date;
}

export class MediaAssetRow extends Model<
  InferAttributes<MediaAssetRow>,
  InferCreationAttributes<MediaAssetRow>
> {
  declare id: string;
  declare task_id: string | null;
  declare user_id: string | null;
  declare position: number;
  declare kind: string;
  declare storage_key: string;
  declare thumbnail_key: string | null;
  declare mime: string;
  declare width: number | null;
  declare height: number | null;
  declare size_bytes: number;
  declare original_name: string | null;
  declare created_at: Date;
}

export interface DreamloomModels {
  User: typeof UserRow;
  Identity: typeof IdentityRow;
  AccessToken: typeof AccessTokenRow;
  ProviderAccount: typeof ProviderAccountRow;
  GenerationTask: typeof GenerationTaskRow;
  MediaAsset: typeof MediaAssetRow;
}

/**
 * Model classes are defined per Sequelize instance, so each createCore() owns its own
 * (tests open SQLite and MariaDB side by side in one process).
 */
export function defineModels(sequelize: Sequelize): DreamloomModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class User extends UserRow {}
  User.init(
    {
      id: pk(),
      username: str(64, true),
      display_name: str(128, true),
      role: str(16),
      is_disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: date(),
      updated_at: date(),
    },
    options('users'),
  );
  class Identity extends IdentityRow {}
  Identity.init(
    {
      id: pk(),
      user_id: str(36),
      provider: str(16),
      subject: str(191),
      secret_hash: str(255, true),
      display_name: str(128, true),
      created_at: date(),
      last_seen_at: date(true),
    },
    options('identities'),
  );
  class AccessToken extends AccessTokenRow {}
  AccessToken.init(
    {
      id: pk(),
      user_id: str(36),
      token_hash: str(64),
      kind: str(16),
      expires_at: date(),
      revoked_at: date(true),
      created_at: date(),
    },
    options('access_tokens'),
  );
  class ProviderAccount extends ProviderAccountRow {}
  ProviderAccount.init(
    {
      id: pk(),
      provider: str(16),
      name: str(191),
      account_type: int(),
      site_type: str(8),
      secret_enc: { type: DataTypes.TEXT, allowNull: false },
      secret_mask: str(32),
      session_hash: str(64, true),
      account_status: { ...int(), defaultValue: 0 },
      image_generation_status: { ...int(), defaultValue: 1 },
      video_generation_status: { ...int(), defaultValue: 1 },
      image_count: { ...int(), defaultValue: 0 },
      video_count: { ...int(), defaultValue: 0 },
      priority: { ...int(), defaultValue: 0 },
      weight: { ...int(), defaultValue: 1 },
      max_concurrent: { ...int(), defaultValue: 3 },
      quota_reset_time: date(),
      credits: { type: DataTypes.INTEGER, allowNull: true },
      credits_checked_at: date(true),
      status_reason: str(255, true),
      last_error: str(1024, true),
      last_error_at: date(true),
      cooldown_until: date(true),
      cooldown_level: { ...int(), defaultValue: 0 },
      last_used_at: date(true),
      is_deleted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      create_by: str(36, true),
      update_by: str(36, true),
      create_time: date(),
      update_time: date(),
    },
    options('provider_accounts'),
  );
  class GenerationTask extends GenerationTaskRow {}
  GenerationTask.init(
    {
      id: pk(),
      user_id: str(36),
      source: str(24),
      kind: str(8),
      provider: str(16),
      model: str(64),
      prompt: { type: DataTypes.TEXT, allowNull: false },
      params: { type: DataTypes.TEXT, allowNull: false },
      status: { ...str(16), defaultValue: 'pending' },
      progress: { ...int(), defaultValue: 0 },
      requested_count: int(),
      completed_count: { ...int(), defaultValue: 0 },
      priority: { ...int(), defaultValue: 0 },
      attempts: { ...int(), defaultValue: 0 },
      site_switch_count: { ...int(), defaultValue: 0 },
      account_id: str(36, true),
      batch_id: str(36, true),
      credits_used: { ...int(), defaultValue: 0 },
      error_code: str(64, true),
      error_message: str(1024, true),
      visibility: { ...str(16), defaultValue: 'public' },
      started_at: date(true),
      finished_at: date(true),
      created_at: date(),
      updated_at: date(),
    },
    options('generation_tasks'),
  );
  class MediaAsset extends MediaAssetRow {}
  MediaAsset.init(
    {
      id: pk(),
      task_id: str(36, true),
      user_id: str(36, true),
      position: int(),
      kind: str(8),
      storage_key: str(255),
      thumbnail_key: str(255, true),
      mime: str(64),
      width: { type: DataTypes.INTEGER, allowNull: true },
      height: { type: DataTypes.INTEGER, allowNull: true },
      size_bytes: int(),
      original_name: str(255, true),
      created_at: date(),
    },
    options('media_assets'),
  );
  return { User, Identity, AccessToken, ProviderAccount, GenerationTask, MediaAsset };
}
