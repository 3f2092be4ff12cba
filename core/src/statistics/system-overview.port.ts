/**
 * What the staff overview reads (statistics/system-overview.ts): one aggregate per figure over a
 * window of creation times. The Sequelize adapter system-overview.repository.ts answers it with SQL
 * that is the same on SQLite and MariaDB except for elapsed times.
 */

/** Rows of a window, by the statuses a task ends in (`partial`: some outputs of a fan-out failed). */
export interface TaskCountRow {
  source: string;
  status: string;
  count: number;
  /** Tasks of this group with a measured generation time, and the sum of those times (ms). */
  timed: number;
  elapsedMsSum: number;
}

export interface TaskBucketRow {
  bucket: number;
  source: string;
  status: string;
  count: number;
}

export interface TaskErrorRow {
  source: string;
  errorCode: string | null;
  count: number;
}

export interface ChatActivityRow {
  memberMessages: number;
  replies: number;
  activeConversations: number;
  activeMembers: number;
  newConversations: number;
}

export interface LedgerRow {
  kind: string;
  /** Signed sum as stored (charges negative). */
  amount: number;
  entries: number;
}

export interface SystemOverviewStore {
  /** Tasks created in the window, grouped by source and status, with their summed generation times. */
  taskCounts(from: Date, to: Date): Promise<TaskCountRow[]>;
  /** The generation time (ms) at 1-based `rank` among the window's timed tasks of `sources`, shortest first. */
  elapsedAtRank(from: Date, to: Date, sources: string[], rank: number): Promise<number | null>;
  /** Tasks of the window per chart bucket (`bucketStarts` ascending, the first equal to `from`). */
  taskBuckets(from: Date, to: Date, bucketStarts: Date[]): Promise<TaskBucketRow[]>;
  /** Failed tasks and fan-outs with failed outputs, by source and stored error code. */
  taskErrors(from: Date, to: Date): Promise<TaskErrorRow[]>;
  /** Story chat activity in the window. */
  chatActivity(from: Date, to: Date): Promise<ChatActivityRow>;
  /** Credits ledger entries of the window by kind. */
  ledger(from: Date, to: Date): Promise<LedgerRow[]>;
}
