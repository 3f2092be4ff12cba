import { describe, expect, it } from 'vitest';
import { applyBatchEvent, replayBatchEvent } from './batch-live';
import type { BatchDetail } from './types';

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
    expect(applyBatchEvent(detail, { ...counts, batch_id: 'b2', status: 'failed', progress: 1 })).toBe(
      detail,
    );
    const next = applyBatchEvent(detail, {
      ...counts,
      batch_id: 'b1',
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
    const stale = {
      ...counts,
      batch_id: 'b1',
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
      status: 'processing',
      completed_count: 1,
      pending_count: 1,
      progress: 0.5,
      item: { storyboard_id: 's2', status: 'pending', retry_count: 2 },
    });
    expect(retried.details[1]).toMatchObject({ status: 'pending', retry_count: 2 });
    // The counts of that older event do not replace the answer's.
    expect(retried.completed_count).toBe(2);
    const behind = { ...fresh, status: 'processing', completed_count: 1, progress: 0.5 };
    const ahead = replayBatchEvent(behind, {
      ...counts,
      batch_id: 'b1',
      status: 'completed',
      completed_count: 2,
      progress: 1,
    });
    expect(ahead).toMatchObject({ status: 'completed', completed_count: 2 });
  });
});
