import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/* Row types mirror migrations/0003-nanobanana.ts; the migration owns the schema. */

/** One output position of a fanned-out task (the engine's sub-job bookkeeping). */
export class TaskItemRow extends Model<InferAttributes<TaskItemRow>, InferCreationAttributes<TaskItemRow>> {
  declare task_id: string;
  declare position: number;
  /** pending → queued → running → done | failed */
  declare status: CreationOptional<string>;
  declare attempts: CreationOptional<number>;
  declare error_message: CreationOptional<string | null>;
  declare updated_at: Date;
}

/** A caller-supplied provider credential, sealed, that lives only as long as its task runs. */
export class TaskCredentialRow extends Model<
  InferAttributes<TaskCredentialRow>,
  InferCreationAttributes<TaskCredentialRow>
> {
  declare task_id: string;
  declare secret_enc: string;
  declare created_at: Date;
}

/** Contract 004's view of a generation task: workspace, raw options, and the search text. */
export class NanobananaTaskRow extends Model<
  InferAttributes<NanobananaTaskRow>,
  InferCreationAttributes<NanobananaTaskRow>
> {
  declare task_id: string;
  /** A user id, or `anonymous` for the shared workspace. */
  declare owner_key: string;
  declare options: string;
  /** jieba-segmented prompt, tokens wrapped so both FULLTEXT engines index them (see search-text.ts). */
  declare search_text: string;
  declare created_at: Date;
}

export interface NanobananaModels {
  TaskItem: typeof TaskItemRow;
  TaskCredential: typeof TaskCredentialRow;
  NanobananaTask: typeof NanobananaTaskRow;
}

// Factories, not shared objects: Sequelize writes into attribute definitions.
const id = () => ({ type: DataTypes.STRING(36), allowNull: false, primaryKey: true });
const date = () => ({ type: DataTypes.DATE(3), allowNull: false });
const text = () => ({ type: DataTypes.TEXT, allowNull: false });

export function defineNanobananaModels(sequelize: Sequelize): NanobananaModels {
  const options = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  class TaskItem extends TaskItemRow {}
  TaskItem.init(
    {
      task_id: id(),
      position: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      error_message: { type: DataTypes.STRING(1024), allowNull: true },
      updated_at: date(),
    },
    options('generation_task_items'),
  );
  class TaskCredential extends TaskCredentialRow {}
  TaskCredential.init(
    { task_id: id(), secret_enc: text(), created_at: date() },
    options('generation_task_credentials'),
  );
  class NanobananaTask extends NanobananaTaskRow {}
  NanobananaTask.init(
    {
      task_id: id(),
      owner_key: { type: DataTypes.STRING(36), allowNull: false },
      options: text(),
      search_text: text(),
      created_at: date(),
    },
    options('nanobanana_tasks'),
  );
  return { TaskItem, TaskCredential, NanobananaTask };
}
