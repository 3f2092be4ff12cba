import type { BatchDetail, BatchItem, BatchProgressEvent } from './types';

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
