import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf } from './database.js';

import type {
  ChatActivityRow,
  LedgerRow,
  SystemOverviewStore,
  TaskBucketRow,
  TaskCountRow,
  TaskErrorRow,
} from '../../statistics/system-overview.port.js';

export type {
  ChatActivityRow,
  LedgerRow,
  TaskBucketRow,
  TaskCountRow,
  TaskErrorRow,
} from '../../statistics/system-overview.port.js';

/** Ended with outputs: the tasks whose generation time counts. */
const TIMED_STATUSES = "('completed', 'partial')";

/**
 * `+status`, not `status`, in WHERE: the unary plus keeps the planner off the (status, updated_at)
 * index, which SQLite otherwise prefers for `status IN (…)` and which reads every completed task
 * ever; the window on created_at (migration 0016) is the selective condition. A no-op on MariaDB's
 * result, as on SQLite's.
 */
const STATUS = '+status';

/**
 * The overview's SQL, one aggregate query per figure, the same on SQLite and MariaDB except for
 * the elapsed time between two stored instants. Every query is bounded by the window on an
 * indexed creation time (migration 0016) and returns groups, never rows, except the p95 lookup,
 * which asks the database for the one row at the 95th rank (ORDER BY … LIMIT 1 OFFSET k): the
 * database sorts the window's timed tasks of one family, nothing is loaded into memory here.
 */
export class SystemOverviewRepository implements SystemOverviewStore {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Milliseconds from a task's start (its creation when it never recorded one) to its end, as
   * the Jimeng records measure it. SQLite keeps instants as text: julianday() reads them (the
   * stored `+00:00` included) as fractional days, exact to well under a millisecond, so ROUND.
   */
  private get elapsedMs(): string {
    return dialectOf(this.sequelize) === 'sqlite'
      ? 'ROUND((julianday(finished_at) - julianday(COALESCE(started_at, created_at))) * 86400000)'
      : 'TIMESTAMPDIFF(MICROSECOND, COALESCE(started_at, created_at), finished_at) / 1000';
  }

  private select<T extends object>(sql: string, replacements: Record<string, unknown>) {
    return this.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  }

  async taskCounts(from: Date, to: Date): Promise<TaskCountRow[]> {
    const timed = `status IN ${TIMED_STATUSES} AND finished_at IS NOT NULL`;
    const rows = await this.select<Record<string, unknown>>(
      `SELECT source, status, COUNT(*) AS n,
              SUM(CASE WHEN ${timed} THEN 1 ELSE 0 END) AS timed,
              SUM(CASE WHEN ${timed} THEN ${this.elapsedMs} ELSE 0 END) AS elapsed_sum
         FROM generation_tasks
        WHERE created_at >= :from AND created_at < :to
        GROUP BY source, status`,
      { from, to },
    );
    return rows.map((row) => ({
      source: String(row.source),
      status: String(row.status),
      count: Number(row.n),
      timed: Number(row.timed ?? 0),
      elapsedMsSum: Number(row.elapsed_sum ?? 0),
    }));
  }

  /**
   * The generation time (ms) at 1-based rank `rank` among the window's timed tasks of `sources`,
   * shortest first; null when there are fewer.
   */
  async elapsedAtRank(from: Date, to: Date, sources: string[], rank: number): Promise<number | null> {
    if (sources.length === 0) return null;
    const rows = await this.select<{ ms: unknown }>(
      `SELECT ${this.elapsedMs} AS ms
         FROM generation_tasks
        WHERE created_at >= :from AND created_at < :to AND source IN (:sources)
          AND ${STATUS} IN ${TIMED_STATUSES} AND finished_at IS NOT NULL
        ORDER BY ms
        LIMIT 1 OFFSET ${Math.max(0, Math.floor(rank) - 1)}`,
      { from, to, sources },
    );
    return rows.length ? Number(rows[0]!.ms) : null;
  }

  /**
   * Counts per chart bucket: `bucketStarts` ascending, the first equal to `from`. The bucket is
   * chosen in SQL with bound instants (a CASE per boundary), so local days (DST included) come out
   * right on both databases without their time zone functions.
   */
  async taskBuckets(from: Date, to: Date, bucketStarts: Date[]): Promise<TaskBucketRow[]> {
    const boundaries = bucketStarts.slice(1);
    const replacements: Record<string, unknown> = { from, to };
    const cases = boundaries.map((start, index) => {
      replacements[`b${index}`] = start;
      return `WHEN created_at < :b${index} THEN ${index}`;
    });
    // A window of one bucket (the first hour of a day, before the hour is over) has no boundary:
    // its bucket is the constant 0, which must not be grouped by — `GROUP BY 0` is a column
    // position to SQLite and MySQL, and an error.
    const bucket = cases.length ? `CASE ${cases.join(' ')} ELSE ${boundaries.length} END` : '0';
    const groupBy = cases.length ? `${bucket}, source, status` : 'source, status';
    const rows = await this.select<Record<string, unknown>>(
      `SELECT ${bucket} AS bucket, source, status, COUNT(*) AS n
         FROM generation_tasks
        WHERE created_at >= :from AND created_at < :to
        GROUP BY ${groupBy}`,
      replacements,
    );
    return rows.map((row) => ({
      bucket: Number(row.bucket),
      source: String(row.source),
      status: String(row.status),
      count: Number(row.n),
    }));
  }

  /** Failed tasks and fan-outs with failed outputs, by source and stored error code. */
  async taskErrors(from: Date, to: Date): Promise<TaskErrorRow[]> {
    const rows = await this.select<Record<string, unknown>>(
      `SELECT source, error_code, COUNT(*) AS n
         FROM generation_tasks
        WHERE created_at >= :from AND created_at < :to AND ${STATUS} IN ('failed', 'partial')
        GROUP BY source, error_code`,
      { from, to },
    );
    return rows.map((row) => ({
      source: String(row.source),
      errorCode: row.error_code === null || row.error_code === undefined ? null : String(row.error_code),
      count: Number(row.n),
    }));
  }

  /**
   * Story chat in the window: members' messages and the characters' replies (stories' opening
   * lines are written by the story, not sent, so they are left out), the conversations and the
   * members that spoke, and conversations started.
   */
  async chatActivity(from: Date, to: Date): Promise<ChatActivityRow> {
    const [messages] = await this.select<Record<string, unknown>>(
      `SELECT SUM(CASE WHEN role = 'user' THEN 1 ELSE 0 END) AS member_messages,
              SUM(CASE WHEN role = 'user' THEN 0 ELSE 1 END) AS replies,
              COUNT(DISTINCT conversation_id) AS conversations,
              COUNT(DISTINCT CASE WHEN role = 'user' THEN author_user_id END) AS members
         FROM chat_messages
        WHERE created_at >= :from AND created_at < :to AND is_opening = 0`,
      { from, to },
    );
    const [started] = await this.select<Record<string, unknown>>(
      `SELECT COUNT(*) AS n FROM conversations WHERE created_at >= :from AND created_at < :to`,
      { from, to },
    );
    return {
      memberMessages: Number(messages?.member_messages ?? 0),
      replies: Number(messages?.replies ?? 0),
      activeConversations: Number(messages?.conversations ?? 0),
      activeMembers: Number(messages?.members ?? 0),
      newConversations: Number(started?.n ?? 0),
    };
  }

  /** Credit ledger entries in the window by kind (grant, charge, refund). */
  async ledger(from: Date, to: Date): Promise<LedgerRow[]> {
    const rows = await this.select<Record<string, unknown>>(
      `SELECT kind, SUM(amount) AS amount, COUNT(*) AS n
         FROM credit_ledger
        WHERE created_at >= :from AND created_at < :to
        GROUP BY kind`,
      { from, to },
    );
    return rows.map((row) => ({
      kind: String(row.kind),
      amount: Number(row.amount ?? 0),
      entries: Number(row.n),
    }));
  }
}
