import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import { insertRows } from './bulk-row.writer.js';
import type {
  CallbackDelivery,
  JimengBatch,
  JimengRecord,
  JimengRepository,
  NewJimengBatch,
  NewJimengRecord,
  Ownership,
} from '../../jimeng/jimeng.repository.js';
import { RecordStatus } from '../../jimeng/jimeng.types.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import { sequelizeTransaction } from './unit-of-work.js';
import type { JimengBatchRow, JimengModels, JimengRecordRow } from './jimeng.models.js';
import type { DreamloomModels } from './models.js';

/** Staff see their own records and batches (003's rule); admins (no owner given) see all. */
const owned = (owner: Ownership): WhereOptions =>
  owner.ownerId === undefined ? {} : { create_by: owner.ownerId };

/**
 * The Jimeng studio port on Sequelize. Every query is the one the record, batch, progress and
 * callback services ran before the port: the same filters in the same order, the one GROUP BY per
 * batch count, plain multi-row INSERTs for a thousand-item batch, conditional updates that decide
 * between racing workers.
 */
export class SequelizeJimengRepository implements JimengRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: Pick<DreamloomModels, 'ProviderAccount' | 'MediaAsset'> & JimengModels,
  ) {}

  transaction<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  async recordPage(
    filter: Ownership & {
      type: 'image' | 'video';
      workId?: string;
      status?: number;
      createdFrom?: Date | null;
      createdTo?: Date | null;
    },
    window: { offset: number; limit: number },
  ): Promise<{ rows: JimengRecord[]; total: number }> {
    const start = filter.createdFrom;
    const end = filter.createdTo;
    const created: Record<symbol, Date> = {};
    if (start) created[Op.gte] = start;
    if (end) created[Op.lte] = end;
    const { rows, count } = await this.models.JimengRecord.findAndCountAll({
      where: {
        type: filter.type,
        is_deleted: false,
        ...owned(filter),
        ...(filter.workId ? { work_id: filter.workId } : {}),
        ...(filter.status !== undefined ? { generation_status: filter.status } : {}),
        ...(start || end ? { create_time: created } : {}),
      },
      order: [
        ['create_time', 'DESC'],
        ['id', 'DESC'],
      ],
      offset: window.offset,
      limit: window.limit,
    });
    return { rows, total: count };
  }

  liveRecord(id: string, type: 'image' | 'video', owner: Ownership): Promise<JimengRecord | null> {
    return this.models.JimengRecord.findOne({ where: { id, type, is_deleted: false, ...owned(owner) } });
  }

  liveRecords(ids: string[], type: 'image' | 'video', owner: Ownership): Promise<JimengRecord[]> {
    return this.models.JimengRecord.findAll({ where: { id: ids, type, is_deleted: false, ...owned(owner) } });
  }

  async deleteRecords(ids: string[], by: string, at: Date): Promise<number> {
    const [affected] = await this.models.JimengRecord.update(
      { is_deleted: true, update_by: by, update_time: at },
      { where: { id: ids, is_deleted: false } },
    );
    return affected;
  }

  storyboardRecords(
    filter: Ownership & { type: 'image' | 'video'; workId: string; storyboardIds: string[] },
  ): Promise<JimengRecord[]> {
    return this.models.JimengRecord.findAll({
      where: {
        type: filter.type,
        work_id: filter.workId,
        storyboard_id: filter.storyboardIds,
        is_deleted: false,
        ...owned(filter),
      },
      order: [['update_time', 'DESC']],
    });
  }

  recordStats(filter: Ownership & { since: Date; workId?: string }) {
    return this.models.JimengRecord.findAll({
      attributes: ['type', 'generation_status', 'generation_time_ms', 'create_time'],
      where: {
        is_deleted: false,
        create_time: { [Op.gte]: filter.since },
        ...owned(filter),
        ...(filter.workId ? { work_id: filter.workId } : {}),
      },
      raw: true,
    });
  }

  creatorRecords(filter: {
    createdBy: string;
    type: 'image' | 'video';
    workId: string;
    storyboardIds: string[];
  }): Promise<JimengRecord[]> {
    return this.models.JimengRecord.findAll({
      where: {
        create_by: filter.createdBy,
        type: filter.type,
        work_id: filter.workId,
        storyboard_id: filter.storyboardIds,
        is_deleted: false,
      },
    });
  }

  latestCreatorRecord(filter: {
    createdBy: string;
    type: 'image' | 'video';
    workId: string;
    storyboardId: string;
  }): Promise<JimengRecord | null> {
    return this.models.JimengRecord.findOne({
      where: {
        create_by: filter.createdBy,
        type: filter.type,
        work_id: filter.workId,
        storyboard_id: filter.storyboardId,
        is_deleted: false,
      },
      order: [['update_time', 'DESC']],
    });
  }

  async insertRecords(rows: NewJimengRecord[], transaction: TransactionHandle): Promise<void> {
    // A thousand-item batch: plain multi-row INSERTs, no model instance per row (see insertRows).
    await insertRows(this.models.JimengRecord, rows, { transaction: sequelizeTransaction(transaction) });
  }

  changeRecord(
    record: JimengRecord,
    changes: Partial<JimengRecord>,
    transaction?: TransactionHandle,
  ): Promise<JimengRecord> {
    return (record as JimengRecordRow).update(
      changes,
      transaction ? { transaction: sequelizeTransaction(transaction) } : undefined,
    );
  }

  batchRecords(
    batchId: string,
    options: { ordered?: 'create_time' | 'create_time_id'; storyboardIds?: string[] } = {},
  ): Promise<JimengRecord[]> {
    const where = {
      batch_id: batchId,
      is_deleted: false,
      ...(options.storyboardIds?.length ? { storyboard_id: options.storyboardIds } : {}),
    };
    if (options.ordered === 'create_time_id')
      return this.models.JimengRecord.findAll({
        where,
        order: [
          ['create_time', 'ASC'],
          ['id', 'ASC'],
        ],
      });
    if (options.ordered === 'create_time')
      return this.models.JimengRecord.findAll({ where, order: [['create_time', 'ASC']] });
    return this.models.JimengRecord.findAll({ where });
  }

  async statusCounts(batchId: string) {
    return (await this.models.JimengRecord.count({
      where: { batch_id: batchId, is_deleted: false },
      group: ['generation_status'],
    })) as unknown as Array<{ generation_status: number; count: number | string }>;
  }

  async recentGenerationTimes(type: 'image' | 'video', limit: number): Promise<Array<number | null>> {
    const recent = await this.models.JimengRecord.findAll({
      attributes: ['generation_time_ms'],
      where: { type, generation_status: RecordStatus.completed },
      order: [['update_time', 'DESC']],
      limit,
    });
    return recent.map((row) => row.generation_time_ms);
  }

  recordsOfTasks(taskIds: string[], options: { includeDeleted?: boolean } = {}): Promise<JimengRecord[]> {
    return this.models.JimengRecord.findAll({
      where: options.includeDeleted ? { task_id: taskIds } : { task_id: taskIds, is_deleted: false },
    });
  }

  async markProcessing(records: JimengRecord[], now: Date): Promise<void> {
    await this.models.JimengRecord.update(
      { generation_status: RecordStatus.processing, update_time: now },
      { where: { id: records.map((record) => record.id) } },
    );
    // The rows say what was written, without leaving unsaved changes on them.
    for (const record of records as JimengRecordRow[]) {
      record.set({ generation_status: RecordStatus.processing, update_time: now });
      record.changed('generation_status', false);
      record.changed('update_time', false);
    }
  }

  insertBatch(values: NewJimengBatch, transaction: TransactionHandle): Promise<JimengBatch> {
    return this.models.JimengBatch.create(values, { transaction: sequelizeTransaction(transaction) });
  }

  batchById(id: string, transaction?: TransactionHandle): Promise<JimengBatch | null> {
    return this.models.JimengBatch.findByPk(
      id,
      transaction ? { transaction: sequelizeTransaction(transaction) } : undefined,
    );
  }

  ownBatch(id: string, owner: Ownership): Promise<JimengBatch | null> {
    return this.models.JimengBatch.findOne({ where: { id, ...owned(owner) } });
  }

  batchPage(
    filter: Ownership & { workId?: string },
    window: { limit?: number; offset?: number },
  ): Promise<JimengBatch[]> {
    return this.models.JimengBatch.findAll({
      where: this.batchWhere(filter),
      order: [['create_time', 'DESC']],
      limit: window.limit,
      ...(window.offset === undefined ? {} : { offset: window.offset }),
    });
  }

  countBatches(filter: Ownership & { workId?: string }): Promise<number> {
    return this.models.JimengBatch.count({ where: this.batchWhere(filter) });
  }

  private batchWhere(filter: Ownership & { workId?: string }): WhereOptions {
    return { ...owned(filter), ...(filter.workId ? { work_id: filter.workId } : {}) };
  }

  changeBatch(
    batch: JimengBatch,
    changes: Partial<JimengBatch>,
    transaction?: TransactionHandle,
  ): Promise<JimengBatch> {
    return (batch as JimengBatchRow).update(
      changes,
      transaction ? { transaction: sequelizeTransaction(transaction) } : undefined,
    );
  }

  async markBatchesStarted(ids: string[], now: Date): Promise<void> {
    await this.models.JimengBatch.update(
      { start_time: now, status: 'processing' },
      { where: { id: ids, start_time: null } },
    );
  }

  async finishBatch(id: string, status: string, now: Date): Promise<boolean> {
    const [won] = await this.models.JimengBatch.update(
      { finish_time: now, status, update_time: now },
      { where: { id, finish_time: null } },
    );
    return won > 0;
  }

  async recordDelivery(delivery: CallbackDelivery): Promise<void> {
    await this.models.CallbackDelivery.create(delivery);
  }

  mediaOfTasks(taskIds: string[]) {
    return this.models.MediaAsset.findAll({ where: { task_id: taskIds }, order: [['position', 'ASC']] });
  }

  accountLabels(ids: string[]) {
    return this.models.ProviderAccount.findAll({
      attributes: ['id', 'name', 'secret_mask'],
      where: { id: ids },
    });
  }

  accountSites(ids: string[]) {
    return this.models.ProviderAccount.findAll({
      attributes: ['id', 'name', 'site_type', 'secret_mask'],
      where: { id: ids },
    });
  }

  async accountSlotLimits(kind: 'image' | 'video'): Promise<number[]> {
    const accounts = await this.models.ProviderAccount.findAll({
      attributes: ['max_concurrent'],
      where: {
        provider: 'jimeng',
        is_deleted: false,
        account_status: 0,
        [kind === 'image' ? 'image_generation_status' : 'video_generation_status']: 1,
      },
    });
    return accounts.map((account) => account.max_concurrent);
  }
}
