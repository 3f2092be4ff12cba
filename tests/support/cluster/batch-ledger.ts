import mysql from 'mysql2/promise';

/** A contract 003 batch as the shared database records it: what "exactly once" is checked against. */
export interface BatchLedger {
  /** generation_status (0 pending, 1 processing, 2 completed, 3 failed, 4 cancelled) by storyboard id. */
  statuses(batchId: string): Promise<Map<string, number>>;
  /** The same, by the id of each item's generation task (the queue's job id). */
  taskStatuses(batchId: string): Promise<Map<string, number>>;
  /** Every record, task and output of the batch, to count per storyboard item. */
  contents(batchId: string): Promise<{
    records: Array<{
      storyboard_id: string;
      task_id: string | null;
      generation_status: number;
      retry_count: number;
    }>;
    tasks: Array<{ id: string; status: string }>;
    media: Array<{ task_id: string; position: number; storage_key: string }>;
  }>;
  close(): Promise<void>;
}

/** Reads the cluster's MariaDB straight (not through a node), so a node's failure cannot hide anything. */
export function openBatchLedger(databaseUrl: string): BatchLedger {
  const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: 2 });
  return {
    async statuses(batchId) {
      const [rows] = await pool.query(
        'SELECT storyboard_id, generation_status FROM jimeng_records WHERE batch_id = ?',
        [batchId],
      );
      return new Map(
        (rows as Array<{ storyboard_id: string; generation_status: number }>).map((row) => [
          row.storyboard_id,
          Number(row.generation_status),
        ]),
      );
    },
    async taskStatuses(batchId) {
      const [rows] = await pool.query(
        'SELECT task_id, generation_status FROM jimeng_records WHERE batch_id = ?',
        [batchId],
      );
      return new Map(
        (rows as Array<{ task_id: string; generation_status: number }>).map((row) => [
          row.task_id,
          Number(row.generation_status),
        ]),
      );
    },
    async contents(batchId) {
      const [records] = await pool.query(
        'SELECT storyboard_id, task_id, generation_status, retry_count FROM jimeng_records WHERE batch_id = ?',
        [batchId],
      );
      const [tasks] = await pool.query('SELECT id, status FROM generation_tasks WHERE batch_id = ?', [
        batchId,
      ]);
      const [media] = await pool.query(
        `SELECT m.task_id, m.position, m.storage_key FROM media_assets m
           JOIN generation_tasks t ON t.id = m.task_id WHERE t.batch_id = ?`,
        [batchId],
      );
      return {
        records: records as never,
        tasks: tasks as never,
        media: media as never,
      };
    },
    close: () => pool.end(),
  };
}
