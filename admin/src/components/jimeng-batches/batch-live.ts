import type { BatchDetail, BatchItem, BatchProgressEvent, BatchSummary } from './types';

/**
 * Folds one `batch.progress`/`batch.completed` event into the detail we have: counts and status
 * always, and the event's item (matched by storyboard) when it carries one. Events for another
 * batch are ignored; an item we have never seen is appended.
 */
export function applyBatchEvent(detail: BatchDetail, event: BatchProgressEvent): BatchDetail {
  if (!event || event.batch_id !== detail.batch_id) return detail;
  const next: BatchDetail = {
    ...detail,
    status: event.status ?? detail.status,
    total_count: event.total_count ?? detail.total_count,
    completed_count: event.completed_count ?? detail.completed_count,
    failed_count: event.failed_count ?? detail.failed_count,
    processing_count: event.processing_count ?? detail.processing_count,
    pending_count: event.pending_count ?? detail.pending_count,
    cancelled_count: event.cancelled_count ?? detail.cancelled_count,
    removed_count: event.removed_count ?? detail.removed_count,
    progress: event.progress ?? detail.progress,
  };
  const item = event.item;
  if (!item?.storyboard_id) return next;
  const index = detail.details.findIndex((row) => row.storyboard_id === item.storyboard_id);
  const merged: BatchItem = index >= 0 ? { ...detail.details[index], ...definedOnly(item) } : item;
  const details = index >= 0 ? detail.details.slice() : [...detail.details, merged];
  if (index >= 0) details[index] = merged;
  return { ...next, details };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const RANK: Record<string, number> = { pending: 0, processing: 1, completed: 2, failed: 2, cancelled: 2 };

/**
 * Replays an event that arrived while a status GET was in flight onto that GET's answer. The answer
 * may already be newer than the event, so nothing moves backwards: counts only when at least as far
 * along, an item only when its status is as advanced or it is a later attempt (a higher retry count).
 */
export function replayBatchEvent(fresh: BatchDetail, event: BatchProgressEvent): BatchDetail {
  if (!event || event.batch_id !== fresh.batch_id) return fresh;
  const done = (c: Pick<BatchDetail, 'completed_count' | 'failed_count' | 'cancelled_count'>) =>
    c.completed_count + c.failed_count + (c.cancelled_count ?? 0);
  const countsAhead = done(event) >= done(fresh);
  let item = event.item;
  if (item) {
    const known = fresh.details.find((row) => row.storyboard_id === item!.storyboard_id);
    const later = (item.retry_count ?? 0) > (known?.retry_count ?? 0);
    if (known && !later && (RANK[item.status] ?? 0) < (RANK[known.status] ?? 0)) item = undefined;
  }
  if (!countsAhead && !item) return fresh;
  const counts: BatchProgressEvent = countsAhead ? event : fresh;
  return applyBatchEvent(fresh, { ...counts, item });
}

const ended = (c: Pick<BatchDetail, 'completed_count' | 'failed_count' | 'cancelled_count'>) =>
  c.completed_count + c.failed_count + (c.cancelled_count ?? 0);

/**
 * A list row with the newest `batch.progress` counts of its batch (the `batches` room) laid over
 * it, so its bar moves without reloading the list. The row wins when it is at least as far along
 * (a reload answered after the event), or when the event is for another batch.
 */
export function withListProgress<Row extends BatchSummary>(
  row: Row,
  event: BatchProgressEvent | undefined,
): Row {
  if (!event || event.batch_id !== row.batch_id || ended(event) < ended(row)) return row;
  if (ended(event) === ended(row) && event.processing_count <= row.processing_count) return row;
  return {
    ...row,
    status: event.status ?? row.status,
    total_count: event.total_count ?? row.total_count,
    completed_count: event.completed_count,
    failed_count: event.failed_count,
    processing_count: event.processing_count,
    pending_count: event.pending_count,
    cancelled_count: event.cancelled_count ?? row.cancelled_count,
    removed_count: event.removed_count ?? row.removed_count,
    progress: event.progress ?? row.progress,
  };
}
