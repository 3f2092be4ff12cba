import { QueryTypes } from 'sequelize';
import { createSequelize } from '@dreamloom/core';

export interface BatchOutputCheck {
  /** Storyboard items with exactly one record, a completed task and exactly one stored output. */
  exactlyOnce: number;
  /** Items with no output, and items with more than one (a job run twice would show here). */
  missing: number;
  duplicated: number;
  /** Total stored outputs of the batch (items × images per call when all is well). */
  outputs: number;
}

/**
 * Counts a contract 003 batch's outputs per storyboard item straight from the database (SQLite
 * or MariaDB), not through the server, so "every item exactly once" is what was stored.
 */
export async function checkBatchOutputs(databaseUrl: string, batchId: string): Promise<BatchOutputCheck> {
  const sequelize = createSequelize(databaseUrl);
  try {
    const options = { replacements: { batchId }, type: QueryTypes.SELECT } as const;
    const records = await sequelize.query<{ storyboard_id: string; task_id: string | null }>(
      'SELECT storyboard_id, task_id FROM jimeng_records WHERE batch_id = :batchId',
      options,
    );
    const tasks = await sequelize.query<{ id: string; status: string }>(
      'SELECT id, status FROM generation_tasks WHERE batch_id = :batchId',
      options,
    );
    const media = await sequelize.query<{ task_id: string; stored: number }>(
      `SELECT m.task_id, COUNT(*) AS stored FROM media_assets m
         JOIN generation_tasks t ON t.id = m.task_id WHERE t.batch_id = :batchId GROUP BY m.task_id`,
      options,
    );
    const statusOf = new Map(tasks.map((task) => [task.id, task.status]));
    const storedOf = new Map(media.map((row) => [row.task_id, Number(row.stored)]));
    const recordsPerItem = new Map<string, number>();
    for (const record of records)
      recordsPerItem.set(record.storyboard_id, (recordsPerItem.get(record.storyboard_id) ?? 0) + 1);
    let exactlyOnce = 0;
    let missing = 0;
    let duplicated = 0;
    let outputs = 0;
    for (const record of records) {
      const stored = record.task_id ? (storedOf.get(record.task_id) ?? 0) : 0;
      outputs += stored;
      if (stored === 0) missing += 1;
      else if (stored > 1 || recordsPerItem.get(record.storyboard_id)! > 1) duplicated += 1;
      else if (statusOf.get(record.task_id!) === 'completed') exactlyOnce += 1;
    }
    return { exactlyOnce, missing, duplicated, outputs };
  } finally {
    await sequelize.close();
  }
}
