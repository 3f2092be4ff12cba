import { itemsRun, type BatchCounts } from './types';

export interface ProgressView {
  /** Ended items (completed, failed, cancelled) over the items run, 0–100. */
  percent: number;
  /** Completed items over the items run, 0–100 (the server's `progress`). */
  success: number;
  /** Completed of run, e.g. `30/50`; `—` when the batch runs nothing (all skipped or removed). */
  text: string;
  /** What colours the ended part beyond the green: failures, else cancellations. */
  rest: 'failed' | 'cancelled' | null;
  state: 'exception' | 'active' | 'normal' | 'success';
  failed: number;
  cancelled: number;
}

/**
 * What a batch's progress bar shows. Cancelled items are neither progress nor failures (contract
 * 003 §10.1: 30 completed and 5 failed of 50 is 0.6), so a cancelled batch reads e.g. `0/8` with
 * `8 cancelled`, not `8/8, 8 failed`.
 */
export function progressView(counts: BatchCounts, status?: string): ProgressView {
  const cancelled = counts.cancelled_count ?? 0;
  const failed = counts.failed_count;
  const run = itemsRun(counts);
  const ended = counts.completed_count + failed + cancelled;
  const progress = Number.isFinite(counts.progress)
    ? counts.progress
    : counts.completed_count / Math.max(run, 1);
  return {
    percent: run ? Math.round((ended / run) * 100) : 100,
    success: Math.round(progress * 100),
    text: run ? `${counts.completed_count}/${run}` : '—',
    rest: failed > 0 ? 'failed' : cancelled > 0 ? 'cancelled' : null,
    state:
      status === 'failed'
        ? 'exception'
        : status === 'processing' || status === 'pending'
          ? 'active'
          : failed > 0 || cancelled > 0
            ? 'normal'
            : 'success',
    failed,
    cancelled,
  };
}
