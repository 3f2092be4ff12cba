import { describe, expect, it } from 'vitest';
import { applyBatchEvent, replayBatchEvent, withListProgress } from './batch-live';
import type { BatchDetail, BatchProgressEvent, BatchSummary } from './types';

const detail: BatchDetail = {
  batch_id: 'b1',
  batch_type: 'image_generate',
  status: 'processing',
  total_count: 2,
  completed_count: 0,
  failed_count: 0,
  processing_count: 1,
  pending_count: 1,
  progress: 0,
  details: [
    { storyboard_id: 's1', record_id: 'r1', status: 'processing', retry_count: 0 },
    { storyboard_id: 's2', record_id: 'r2', status: 'pending', retry_count: 1 },
  ],
};

describe('applyBatchEvent', () => {
  it('updates counts, status and the matching storyboard, keeping fields the event omits', () => {
    const next = applyBatchEvent(detail, {
      batch_id: 'b1',
      batch_type: 'image_generate',
      status: 'processing',
      total_count: 2,
      completed_count: 1,
      failed_count: 0,
      processing_count: 0,
      pending_count: 1,
      progress: 0.5,
      item: { storyboard_id: 's1', status: 'completed', result_urls: ['https://x/1.png'], retry_count: 0 },
    });
    expect(next.completed_count).toBe(1);
    expect(next.progress).toBe(0.5);
    expect(next.details[0]).toEqual({
      storyboard_id: 's1',
      record_id: 'r1',
      status: 'completed',
      result_urls: ['https://x/1.png'],
      retry_count: 0,
    });
    expect(next.details[1]).toBe(detail.details[1]);
    expect(detail.details[0].status).toBe('processing');
  });

  it('ignores other batches and appends unseen storyboards', () => {
    const counts = {
      total_count: 3,
      completed_count: 0,
      failed_count: 1,
      processing_count: 0,
      pending_count: 2,
    };
    expect(
      applyBatchEvent(detail, {
        ...counts,
        batch_id: 'b2',
        batch_type: 'image_generate',
        status: 'failed',
        progress: 1,
      }),
    ).toBe(detail);
    const next = applyBatchEvent(detail, {
      ...counts,
      batch_id: 'b1',
      batch_type: 'image_generate',
      status: 'processing',
      progress: 0.33,
      item: { storyboard_id: 's3', status: 'failed', error_message: 'blocked', retry_count: 2 },
    });
    expect(next.details.map((row) => row.storyboard_id)).toEqual(['s1', 's2', 's3']);
    expect(next.failed_count).toBe(1);
  });
});

describe('replayBatchEvent', () => {
  const counts = { total_count: 2, failed_count: 0, processing_count: 0, pending_count: 0 };
  const fresh: BatchDetail = {
    ...detail,
    ...counts,
    status: 'completed',
    completed_count: 2,
    progress: 1,
    details: [
      { storyboard_id: 's1', status: 'completed', retry_count: 0 },
      { storyboard_id: 's2', status: 'completed', retry_count: 1 },
    ],
  };

  it('never moves a newer answer backwards with an older event', () => {
    const stale: BatchProgressEvent = {
      ...counts,
      batch_id: 'b1',
      batch_type: 'image_generate',
      status: 'processing',
      completed_count: 1,
      processing_count: 1,
      progress: 0.5,
      item: { storyboard_id: 's2', status: 'processing', retry_count: 1 },
    };
    expect(replayBatchEvent(fresh, stale)).toBe(fresh);
  });

  it('applies events that are ahead of the answer, and later attempts of an item', () => {
    const retried = replayBatchEvent(fresh, {
      ...counts,
      batch_id: 'b1',
      batch_type: 'image_generate',
      status: 'processing',
      completed_count: 1,
      pending_count: 1,
      progress: 0.5,
      item: { storyboard_id: 's2', status: 'pending', retry_count: 2 },
    });
    expect(retried.details[1]).toMatchObject({ status: 'pending', retry_count: 2 });
    // The counts of that older event do not replace the answer's.
    expect(retried.completed_count).toBe(2);
    const behind: BatchDetail = { ...fresh, status: 'processing', completed_count: 1, progress: 0.5 };
    const ahead = replayBatchEvent(behind, {
      ...counts,
      batch_id: 'b1',
      batch_type: 'image_generate',
      status: 'completed',
      completed_count: 2,
      progress: 1,
    });
    expect(ahead).toMatchObject({ status: 'completed', completed_count: 2 });
  });
});

describe('withListProgress', () => {
  const row: BatchSummary = {
    batch_id: 'b1',
    batch_type: 'image_generate',
    status: 'pending',
    total_count: 4,
    completed_count: 0,
    failed_count: 0,
    processing_count: 0,
    pending_count: 4,
    progress: 0,
  };
  const event = (completed: number, processing: number, batchId = 'b1'): BatchProgressEvent => ({
    batch_id: batchId,
    batch_type: 'image_generate',
    status: 'processing',
    total_count: 4,
    completed_count: completed,
    failed_count: 0,
    processing_count: processing,
    pending_count: 4 - completed - processing,
    progress: completed / 4,
  });

  it('lays a newer event’s counts and status over the row', () => {
    expect(withListProgress(row, event(1, 2))).toMatchObject({
      status: 'processing',
      completed_count: 1,
      processing_count: 2,
      pending_count: 1,
      progress: 0.25,
    });
    // Items starting (none ended yet) is news too.
    expect(withListProgress(row, event(0, 2)).processing_count).toBe(2);
  });

  it('keeps the row when it is as far along (a reload answered after the event) or the event is another batch’s', () => {
    const reloaded: BatchSummary = {
      ...row,
      status: 'processing',
      completed_count: 3,
      processing_count: 1,
      pending_count: 0,
    };
    expect(withListProgress(reloaded, event(2, 2))).toBe(reloaded);
    expect(withListProgress(row, event(2, 2, 'b2'))).toBe(row);
    expect(withListProgress(row, undefined)).toBe(row);
  });
});
