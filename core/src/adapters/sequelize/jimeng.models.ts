import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { date, int, nullableInt, pk, str, text } from './column-types.js';

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
  /** The masked session id the last run used (003 §6.4 original_session_id). */
  declare original_session_mask: CreationOptional<string | null>;
  /** Milliseconds from the task's start to its end (completed records only). */
  declare generation_time_ms: CreationOptional<number | null>;
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

export function defineJimengModels(sequelize: Sequelize): JimengModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class JimengBatch extends JimengBatchRow {}
  JimengBatch.init(
    {
      id: pk(),
      batch_type: str(24),
      project_id: str(128, true),
      project_name: str(255, true),
      work_id: str(128),
      global_config: text(true),
      status: { ...str(24), defaultValue: 'pending' },
      priority: int(3),
      total_count: int(0),
      skip_count: int(0),
      queue_count: int(0),
      callback_url: str(1024, true),
      cancel_reason: str(512, true),
      create_by: str(36),
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
      type: str(8) as never,
      project_id: str(128, true),
      project_name: str(255, true),
      storyboard_id: str(128),
      work_id: str(128),
      batch_id: str(36, true),
      task_id: str(36, true),
      mode: str(24),
      model: str(64),
      prompt: text(),
      negative_prompt: text(true),
      ratio: str(8, true),
      resolution: str(8, true),
      duration: nullableInt(),
      sample_strength: { type: DataTypes.FLOAT, allowNull: true },
      intelligent_ratio: { type: DataTypes.BOOLEAN, allowNull: true },
      input_images: text(true),
      generation_status: int(0),
      site_used: str(8, true),
      account_id: str(36, true),
      original_session_mask: str(32, true),
      generation_time_ms: nullableInt(),
      site_switch_count: int(0),
      retry_count: int(0),
      error_message: str(1024, true),
      callback_url: str(1024, true),
      is_deleted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      create_by: str(36),
      update_by: str(36, true),
      create_time: date(),
      update_time: date(),
    },
    options('jimeng_records'),
  );
  class CallbackDelivery extends CallbackDeliveryRow {}
  CallbackDelivery.init(
    {
      id: pk(),
      batch_id: str(36),
      event: str(32),
      url: str(1024),
      attempt: int(1),
      status_code: nullableInt(),
      ok: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      error: str(1024, true),
      duration_ms: nullableInt(),
      created_at: date(),
    },
    options('callback_deliveries'),
  );
  return { JimengBatch, JimengRecord, CallbackDelivery };
}
