import { describe, expect, it } from 'vitest';
import { progressView } from './batch-progress';

const counts = {
  total_count: 8,
  completed_count: 0,
  failed_count: 0,
  cancelled_count: 0,
  processing_count: 0,
  pending_count: 0,
  progress: 0,
};

describe('progressView', () => {
  it('shows a cancelled batch as cancelled: no failures, no green', () => {
    const view = progressView({ ...counts, cancelled_count: 8 }, 'cancelled');
    expect(view).toMatchObject({ text: '0/8', percent: 100, success: 0, rest: 'cancelled', failed: 0 });
    expect(view.state).not.toBe('success');
  });

  it('follows the contract’s example: 30 completed, 5 failed of 50 is 60 % green', () => {
    const view = progressView(
      {
        ...counts,
        total_count: 50,
        completed_count: 30,
        failed_count: 5,
        processing_count: 10,
        pending_count: 5,
        progress: 0.6,
      },
      'processing',
    );
    expect(view).toMatchObject({ text: '30/50', percent: 70, success: 60, rest: 'failed', state: 'active' });
  });

  it('does not show a full green bar over nothing run', () => {
    const view = progressView({ ...counts, total_count: 2, skip_count: 2, progress: 1 }, 'completed');
    expect(view.text).toBe('—');
  });
});
