import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Contract 003's storyboard records and batches, and the callback delivery log. A record is the
 * latest generation of one storyboard (per owner, type and work); each run of it is a
 * generation task of the one engine, linked by `task_id`.
 */
const id = () => ({ type: DataTypes.STRING(36), primaryKey: true, allowNull: false });
const time = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
const str = (length: number, allowNull = true) => ({ type: DataTypes.STRING(length), allowNull });
const int = (defaultValue = 0) => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue });

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('jimeng_batches', {
    id: id(),
    batch_type: str(24, false),
    project_id: str(128),
    project_name: str(255),
    work_id: str(128, false),
    /** JSON: global_config as submitted (model, resolution, callback_url, priority, account_strategy, …). */
    global_config: text(),
    status: { ...str(24, false), defaultValue: 'pending' },
    priority: int(3),
    total_count: int(),
    skip_count: int(),
    queue_count: int(),
    callback_url: str(1024),
    cancel_reason: str(512),
    create_by: str(36, false),
    start_time: time(true),
    finish_time: time(true),
    create_time: time(),
    update_time: time(),
  });
  await qi.addIndex('jimeng_batches', ['create_by', 'create_time'], { name: 'jimeng_batches_owner' });

  await qi.createTable('jimeng_records', {
    id: id(),
    /** image or video */
    type: str(8, false),
    project_id: str(128),
    project_name: str(255),
    storyboard_id: str(128, false),
    work_id: str(128, false),
    batch_id: str(36),
    task_id: str(36),
    /** image_generate | image_compose | video_generate | video_compose */
    mode: str(24, false),
    model: str(64, false),
    prompt: text(false),
    negative_prompt: text(),
    ratio: str(8),
    resolution: str(8),
    duration: { type: DataTypes.INTEGER, allowNull: true },
    sample_strength: { type: DataTypes.FLOAT, allowNull: true },
    intelligent_ratio: { type: DataTypes.BOOLEAN, allowNull: true },
    /** JSON array of input image URLs */
    input_images: text(),
    /** 0 pending, 1 processing, 2 completed, 3 failed, 4 cancelled */
    generation_status: int(0),
    site_used: str(8),
    account_id: str(36),
    generation_time: { type: DataTypes.INTEGER, allowNull: true },
    site_switch_count: int(),
    retry_count: int(),
    error_message: str(1024),
    callback_url: str(1024),
    is_deleted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    create_by: str(36, false),
    update_by: str(36),
    create_time: time(),
    update_time: time(),
  });
  await qi.addIndex('jimeng_records', ['create_by', 'type', 'work_id', 'storyboard_id'], {
    name: 'jimeng_records_storyboard',
  });
  await qi.addIndex('jimeng_records', ['batch_id'], { name: 'jimeng_records_batch' });
  await qi.addIndex('jimeng_records', ['task_id'], { name: 'jimeng_records_task' });
  await qi.addIndex('jimeng_records', ['create_time'], { name: 'jimeng_records_time' });

  await qi.createTable('callback_deliveries', {
    id: id(),
    batch_id: str(36, false),
    event: str(32, false),
    url: str(1024, false),
    attempt: int(1),
    status_code: { type: DataTypes.INTEGER, allowNull: true },
    ok: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    error: str(1024),
    duration_ms: { type: DataTypes.INTEGER, allowNull: true },
    created_at: time(),
  });
  await qi.addIndex('callback_deliveries', ['batch_id'], { name: 'callback_deliveries_batch' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of ['callback_deliveries', 'jimeng_records', 'jimeng_batches']) await qi.dropTable(table);
}
