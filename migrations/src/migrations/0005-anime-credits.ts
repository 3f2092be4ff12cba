import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contracts 000/001 (anime images and videos) and the credits (MC) ledger:
 * - `credit_accounts`: one balance row per user, only ever changed by a conditional UPDATE in the
 *   same transaction that writes the matching ledger entry (so it never drifts from the ledger);
 * - `credit_ledger`: every grant, charge and refund, each with a unique idempotency key
 *   (`charge:<task>`, `refund:<task>`, or the key a staff member sent with a grant);
 * - `provider_jobs`: the upstream task of an asynchronous provider (kie.ai) behind a generation
 *   task, found by the webhook through its upstream id and polled by delayed re-check jobs;
 * - `anime_prompt_templates` (build-extract-prompt, typed variables) and `anime_presets`
 *   (style/scene/outfit/action prompt fragments), seeded with a starting catalog.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
  const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
  await qi.createTable('credit_accounts', {
    user_id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    balance: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    updated_at: time(),
  });
  await qi.createTable('credit_ledger', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    user_id: str(36),
    kind: str(16),
    amount: { type: DataTypes.INTEGER, allowNull: false },
    balance_after: { type: DataTypes.INTEGER, allowNull: false },
    idempotency_key: str(191),
    task_id: str(36, true),
    actor_id: str(36, true),
    note: str(255, true),
    created_at: time(),
  });
  await qi.addIndex('credit_ledger', ['idempotency_key'], { unique: true, name: 'credit_ledger_key' });
  await qi.addIndex('credit_ledger', ['user_id', 'created_at'], { name: 'credit_ledger_user' });
  await qi.addIndex('credit_ledger', ['task_id'], { name: 'credit_ledger_task' });
  await qi.createTable('provider_jobs', {
    task_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      primaryKey: true,
      references: { model: 'generation_tasks', key: 'id' },
      onDelete: 'CASCADE',
    },
    provider: str(16),
    upstream_id: str(128),
    /** running → finishing → done: only the caller that moves it to `finishing` ends the task. */
    state: { ...str(16), defaultValue: 'running' },
    polls: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('provider_jobs', ['provider', 'upstream_id'], {
    unique: true,
    name: 'provider_jobs_upstream',
  });

  await qi.createTable('anime_prompt_templates', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    template_key: str(64),
    name: str(128),
    /** Text with `{{variable}}` placeholders, filled as is when use_llm_build is false. */
    template: { type: DataTypes.TEXT, allowNull: false },
    /** JSON: [{name, type: string|number|boolean|enum, required, options?, description?}]. */
    variables: { type: DataTypes.TEXT, allowNull: false },
    /** Instructions for the LLM that turns the filled template into the final prompt. */
    llm_instructions: { type: DataTypes.TEXT, allowNull: true },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('anime_prompt_templates', ['template_key'], {
    unique: true,
    name: 'anime_prompt_templates_key',
  });
  await qi.createTable('anime_presets', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    /** style | scene | outfit | action */
    kind: str(16),
    preset_key: str(64),
    name: str(128),
    /** Appended to the prompt when the preset is chosen. */
    prompt: { type: DataTypes.TEXT, allowNull: false },
    sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: time(),
    updated_at: time(),
  });
  await qi.addIndex('anime_presets', ['kind', 'preset_key'], { unique: true, name: 'anime_presets_key' });

  // Starting catalog (staff edit it later): the contract's example template and a few presets.
  const now = new Date();
  await qi.bulkInsert('anime_prompt_templates', [
    {
      id: 'b5d0f7c2-0000-4000-8000-000000000001',
      template_key: 'world-cover',
      name: 'World cover',
      template:
        'Cover art for the {{world_genre}} world "{{world_name}}": {{world_description}}. {{scene_hint}}',
      variables: JSON.stringify([
        { name: 'world_name', type: 'string', required: true },
        { name: 'world_genre', type: 'string', required: true },
        { name: 'world_description', type: 'string', required: true },
        { name: 'scene_hint', type: 'string', required: false },
      ]),
      llm_instructions:
        'Write one vivid English image-generation prompt (max 80 words) for an anime-style world cover. No quotes, no preamble.',
      is_active: true,
      created_at: now,
      updated_at: now,
    },
  ]);
  const presets: Array<[string, string, string, string]> = [
    ['style', 'cel-shaded', 'Cel-shaded', 'cel-shaded anime style, clean line art, flat colors'],
    ['style', 'watercolor', 'Watercolor', 'soft watercolor anime illustration, gentle gradients'],
    ['style', 'cyberpunk', 'Cyberpunk', 'neon cyberpunk anime style, high contrast lighting'],
    ['scene', 'sakura-street', 'Sakura street', 'a quiet street lined with blooming cherry trees'],
    ['scene', 'night-city', 'Night city', 'a rain-soaked city at night with glowing signs'],
    ['outfit', 'school-uniform', 'School uniform', 'wearing a sailor-style school uniform'],
    ['outfit', 'kimono', 'Kimono', 'wearing an elegant floral kimono'],
    ['action', 'waving', 'Waving', 'waving cheerfully at the viewer'],
    ['action', 'running', 'Running', 'running forward with dynamic motion'],
  ];
  await qi.bulkInsert(
    'anime_presets',
    presets.map(([kind, key, name, prompt], index) => ({
      id: `b5d0f7c2-0000-4000-8001-${String(index + 1).padStart(12, '0')}`,
      kind,
      preset_key: key,
      name,
      prompt,
      sort_order: index,
      is_active: true,
      created_at: now,
      updated_at: now,
    })),
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('anime_presets');
  await qi.dropTable('anime_prompt_templates');
  await qi.dropTable('provider_jobs');
  await qi.dropTable('credit_ledger');
  await qi.dropTable('credit_accounts');
}
