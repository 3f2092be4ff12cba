import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Foundation schema: identity, the provider account pool (Jimeng first, other providers' keys
 * later), and the one generation engine's tasks and media assets that every contract builds on.
 * Column names are snake_case; times are UTC DATETIME(3).
 */
const id = { type: DataTypes.STRING(36), primaryKey: true, allowNull: false };
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('users', {
    id,
    username: { type: DataTypes.STRING(64), allowNull: true, unique: true },
    display_name: { type: DataTypes.STRING(128), allowNull: true },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'user' },
    is_disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    created_at: time(),
    updated_at: time(),
  });

  await qi.createTable('identities', {
    id,
    user_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    provider: { type: DataTypes.STRING(16), allowNull: false },
    subject: { type: DataTypes.STRING(191), allowNull: false },
    /** scrypt hash for `password` identities; null for the others. */
    secret_hash: { type: DataTypes.STRING(255), allowNull: true },
    display_name: { type: DataTypes.STRING(128), allowNull: true },
    created_at: time(),
    last_seen_at: time(true),
  });
  await qi.addIndex('identities', ['provider', 'subject'], {
    unique: true,
    name: 'identities_provider_subject',
  });
  await qi.addIndex('identities', ['user_id'], { name: 'identities_user' });

  await qi.createTable('access_tokens', {
    id,
    user_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    /** sha256 of the token; the token itself is never stored. */
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    expires_at: time(),
    revoked_at: time(true),
    created_at: time(),
  });
  await qi.addIndex('access_tokens', ['user_id', 'kind'], { name: 'access_tokens_user_kind' });

  await qi.createTable('provider_accounts', {
    id,
    provider: { type: DataTypes.STRING(16), allowNull: false },
    name: { type: DataTypes.STRING(191), allowNull: false },
    /** Jimeng: 0 China site, 1 overseas (Dreamina). */
    account_type: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    /** Jimeng: '0' China, or a Dreamina region ('hk', 'us', 'jp', 'sg'). */
    site_type: { type: DataTypes.STRING(8), allowNull: false, defaultValue: '0' },
    secret_enc: { type: DataTypes.TEXT, allowNull: false },
    secret_mask: { type: DataTypes.STRING(32), allowNull: false },
    /** 0 normal, 1 invalid (session expired), 2 cooling down, 3 disabled by staff. */
    account_status: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    image_generation_status: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    video_generation_status: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    image_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    video_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    weight: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    max_concurrent: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 3 },
    quota_reset_time: time(),
    credits: { type: DataTypes.INTEGER, allowNull: true },
    credits_checked_at: time(true),
    status_reason: { type: DataTypes.STRING(255), allowNull: true },
    last_error: { type: DataTypes.STRING(1024), allowNull: true },
    last_error_at: time(true),
    cooldown_until: time(true),
    cooldown_level: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    last_used_at: time(true),
    is_deleted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    create_by: { type: DataTypes.STRING(36), allowNull: true },
    update_by: { type: DataTypes.STRING(36), allowNull: true },
    create_time: time(),
    update_time: time(),
  });
  await qi.addIndex('provider_accounts', ['provider', 'is_deleted', 'account_status'], {
    name: 'provider_accounts_pick',
  });
  await qi.addIndex('provider_accounts', ['create_by'], { name: 'provider_accounts_owner' });

  await qi.createTable('generation_tasks', {
    id,
    user_id: { type: DataTypes.STRING(36), allowNull: false, references: { model: 'users', key: 'id' } },
    /** Which contract created it: anime (000), anime_video (001), jimeng (003), nanobanana (004), story (002). */
    source: { type: DataTypes.STRING(24), allowNull: false },
    kind: { type: DataTypes.STRING(8), allowNull: false },
    provider: { type: DataTypes.STRING(16), allowNull: false },
    model: { type: DataTypes.STRING(64), allowNull: false },
    prompt: { type: DataTypes.TEXT, allowNull: false },
    /** JSON: every setting needed to rerun the generation exactly (000 v1.1's reuse rule). */
    params: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    progress: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    requested_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    completed_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    priority: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    site_switch_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    account_id: { type: DataTypes.STRING(36), allowNull: true },
    batch_id: { type: DataTypes.STRING(36), allowNull: true },
    credits_used: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    error_code: { type: DataTypes.STRING(64), allowNull: true },
    error_message: { type: DataTypes.STRING(1024), allowNull: true },
    visibility: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'public' },
    started_at: time(true),
    finished_at: time(true),
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('generation_tasks', ['status', 'updated_at'], { name: 'generation_tasks_status' });
  await qi.addIndex('generation_tasks', ['user_id', 'created_at'], { name: 'generation_tasks_user' });
  await qi.addIndex('generation_tasks', ['batch_id'], { name: 'generation_tasks_batch' });

  await qi.createTable('media_assets', {
    id,
    task_id: {
      type: DataTypes.STRING(36),
      allowNull: true,
      references: { model: 'generation_tasks', key: 'id' },
    },
    user_id: { type: DataTypes.STRING(36), allowNull: true },
    /** Index of this output within its task; unique per task so re-running a job never duplicates. */
    position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    kind: { type: DataTypes.STRING(8), allowNull: false },
    storage_key: { type: DataTypes.STRING(255), allowNull: false },
    thumbnail_key: { type: DataTypes.STRING(255), allowNull: true },
    mime: { type: DataTypes.STRING(64), allowNull: false },
    width: { type: DataTypes.INTEGER, allowNull: true },
    height: { type: DataTypes.INTEGER, allowNull: true },
    size_bytes: { type: DataTypes.INTEGER, allowNull: false },
    original_name: { type: DataTypes.STRING(255), allowNull: true },
    created_at: time(),
  });
  await qi.addIndex('media_assets', ['task_id', 'position'], {
    unique: true,
    name: 'media_assets_task_position',
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of [
    'media_assets',
    'generation_tasks',
    'provider_accounts',
    'access_tokens',
    'identities',
    'users',
  ]) {
    await qi.dropTable(table);
  }
}
