import { describe, expect, it } from 'vitest';
import { applySnapshot, initialJobState, type JobState } from './job-state.js';

const base: JobState = { ...initialJobState('p'), phase: 'pending', taskId: 't' };

describe('applySnapshot', () => {
  it('moves forward through the phases and clears the queue position once running', () => {
    let s = applySnapshot(base, { taskId: 't', status: 'pending', queuePosition: 2, etaSeconds: 30 });
    expect(s).toMatchObject({ phase: 'pending', queuePosition: 2, etaSeconds: 30 });
    s = applySnapshot(s, { taskId: 't', status: 'processing', progress: 10 });
    expect(s.phase).toBe('processing');
    expect(s.queuePosition).toBeUndefined();
    expect(s.etaSeconds).toBeUndefined();
    expect(s.progress).toBe(10);
  });

  it('ignores a stale status read that is behind the events already seen', () => {
    const running = applySnapshot(base, { taskId: 't', status: 'processing', progress: 60, etaSeconds: 8 });
    const after = applySnapshot(running, { taskId: 't', status: 'pending' });
    expect(after).toBe(running);
    const sameWithoutDetail = applySnapshot(running, { taskId: 't', status: 'processing' });
    expect(sameWithoutDetail).toMatchObject({ progress: 60, etaSeconds: 8 });
  });

  it('never lets progress go backwards within a phase', () => {
    const s = applySnapshot(applySnapshot(base, { taskId: 't', status: 'processing', progress: 70 }), {
      taskId: 't',
      status: 'processing',
      progress: 40,
    });
    expect(s.progress).toBe(70);
  });

  it('keeps the terminal state once reached', () => {
    const done = applySnapshot(base, { taskId: 't', status: 'completed', outputs: [{ url: 'u' }] });
    expect(done).toMatchObject({ phase: 'completed', progress: 100, outputs: [{ url: 'u' }] });
    expect(applySnapshot(done, { taskId: 't', status: 'failed', error: { code: 'X', message: 'x' } })).toBe(
      done,
    );
  });

  it('gives a failure without details a generic error', () => {
    const s = applySnapshot(base, { taskId: 't', status: 'failed' });
    expect(s.error).toEqual({ code: 'GENERATION_FAILED', message: 'Generation failed' });
  });
});
