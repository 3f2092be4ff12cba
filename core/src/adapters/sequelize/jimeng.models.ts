import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/* Row types mirror migrations/0002-jimeng-batches.ts. */

export class JimengBatchRow extends Model<
  InferAttributes<JimengBatchRow>,
  InferCreationAttributes<JimengBatchRow>
> {
  declare id: string;
  declare batch_type: string;
  declare project_id: string | null;
  declare project_name: string | null;
  declare work_id: string;
  declare global_config: string | null;
  declare status: CreationOptional<string>;
  declare priority: CreationOptional<number>;
  declare total_count: number;
  declare skip_count: number;
  declare queue_count: number;
  declare callback_url: string | null;
  declare cancel_reason: CreationOptional<string | null>;
  declare create_by: string;
  declare start_time: CreationOptional<Date | null>;
  declare finish_time: CreationOptional<Date | null>;
  declare create_time: Date;
  declare update_time: Date;
}

export class JimengRecordRow extends Model<
  InferAttributes<JimengRecordRow>,
  InferCreationAttributes<JimengRecordRow>
> {
  declare id: string;
  declare type: 'image' | 'video';
  declare project_id: string | null;
  declare project_name: string | null;
  declare storyboard_id: string;
  declare work_id: string;
  declare batch_id: string | null;
  declare task_id: string | null;
  declare mode: string;
  declare model: string;
  declare prompt: string;
  declare negative_prompt: string | null;
  declare ratio: string | null;
  declare resolution: string | null;
  declare duration: number | null;
  declare sample_strength: number | null;
  declare intelligent_ratio: boolean | null;
  declare input_images: string | null;
  declare generation_status: CreationOptional<number>;
  declare site_used: CreationOptional<string | null>;
  declare account_id: CreationOptional<string | null>;
  declare generation_time: CreationOptional<number | null>;
  declare site_switch_count: CreationOptional<number>;
  declare retry_count: CreationOptional<number>;
  declare error_message: CreationOptional<string | null>;
  declare callback_url: string | null;
  declare is_deleted: CreationOptional<boolean>;
  declare create_by: string;
  declare update_by: string | null;
  declare create_time: Date;
  declare update_time: Date;
}

export class CallbackDeliveryRow extends Model<
  InferAttributes<CallbackDeliveryRow>,
  InferCreationAttributes<CallbackDeliveryRow>
> {
  declare id: string;
  declare batch_id: string;
  declare event: string;
  declare url: string;
  declare attempt: number;
  declare status_code: number | null;
  declare ok: boolean;
  declare error: string | null;
  declare duration_ms: number | null;
  declare created_at: Date;
}

export interface JimengModels {
  JimengBatch: typeof JimengBatchRow;
  JimengRecord: typeof JimengRecordRow;
  CallbackDelivery: typeof CallbackDeliveryRow;
}

// Factories, not shared objects: Sequelize writes into attribute definitions.
const pk = () => ({ type: DataTypes.STRING(36), primaryKey: true });
const str = (length: number, allowNull = true) => ({ type: DataTypes.STRING(length), allowNull });
const text = (allowNull = true) => ({ type: DataTypes.TEXT, allowNull });
const int = (defaultValue = 0) => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue });
const nint = () => ({ type: DataTypes.INTEGER, allowNull: true });
const date = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });

export function defineJimengModels(sequelize: Sequelize): JimengModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class JimengBatch extends JimengBatchRow {}
  JimengBatch.init(
    {
      id: pk(),
      batch_type: str(24, false),
      project_id: str(128),
      project_name: str(255),
      work_id: str(128, false),
      global_config: text(),
      status: { ...str(24, false), defaultValue: 'pending' },
      priority: int(3),
      total_count: int(),
      skip_count: int(),
      queue_count: int(),
      callback_url: str(1024),
      cancel_reason: str(512),
      create_by: str(36, false),
      start_time: date(true),
      finish_time: date(true),
      create_time: date(),
      update_time: date(),
    },
    options('jimeng_batches'),
  );
  class JimengRecord extends JimengRecordRow {}
  JimengRecord.init(
    {
      id: pk(),
      type: str(8, false) as never,
      project_id: str(128),
      project_name: str(255),
      storyboard_id: str(128, false),
      work_id: str(128, false),
      batch_id: str(36),
      task_id: str(36),
      mode: str(24, false),
      model: str(64, false),
      prompt: text(false),
      negative_prompt: text(),
      ratio: str(8),
      resolution: str(8),
      duration: nint(),
      sample_strength: { type: DataTypes.FLOAT, allowNull: true },
      intelligent_ratio: { type: DataTypes.BOOLEAN, allowNull: true },
      input_images: text(),
      generation_status: int(0),
      site_used: str(8),
      account_id: str(36),
      generation_time: nint(),
      site_switch_count: int(),
      retry_count: int(),
      error_message: str(1024),
      callback_url: str(1024),
      is_deleted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      create_by: str(36, false),
      update_by: str(36),
      create_time: date(),
      update_time: date(),
    },
    options('jimeng_records'),
  );
  class CallbackDelivery extends CallbackDeliveryRow {}
  CallbackDelivery.init(
    {
      id: pk(),
      batch_id: str(36, false),
      event: str(32, false),
      url: str(1024, false),
      attempt: int(1),
      status_code: nint(),
      ok: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      error: str(1024),
      duration_ms: nint(),
      created_at: date(),
    },
    options('callback_deliveries'),
  );
  return { JimengBatch, JimengRecord, CallbackDelivery };
}
