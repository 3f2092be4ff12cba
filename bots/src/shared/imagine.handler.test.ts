import { describe, expect, it } from 'vitest';
import { DreamloomApiError, type TaskError } from './dreamloom-client.js';
import { runImagine, type JobCardSink, type JobImage } from './imagine.handler.js';
import type { JobCard } from './job-card.js';
import { silentLogger } from './logger.js';
import { FakeDreamloomClient } from '../testing/fake-dreamloom-client.js';
import { isPng, solidPng } from '../testing/png.js';

type SinkCall =
  | { kind: 'update'; card: JobCard }
  | { kind: 'complete'; card: JobCard; images: JobImage[] }
  | { kind: 'fail'; card: JobCard }
  | { kind: 'reject'; error: TaskError };

function recordingSink(options: { failComplete?: boolean } = {}) {
  const calls: SinkCall[] = [];
  let active = 0;
  let overlapped = false;
  const track = async <T>(fn: () => T) => {
    if (active > 0) overlapped = true;
    active++;
    await new Promise((r) => setTimeout(r, 1));
    active--;
    return fn();
  };
  const sink: JobCardSink = {
    place: 'test-chat',
    update: (card) => track(() => void calls.push({ kind: 'update', card })),
    complete: (card, images) =>
      track(() => {
        calls.push({ kind: 'complete', card, images });
        if (options.failComplete) throw new Error('upload rejected');
      }),
    fail: (card) => track(() => void calls.push({ kind: 'fail', card })),
    reject: (error) => track(() => void calls.push({ kind: 'reject', error })),
  };
  return { sink, calls, overlapped: () => overlapped };
}

const user = { platform: 'telegram' as const, id: '42', username: 'mika' };
const png = solidPng(4, 4);
const media = {
  'http://media.test/a.png': { bytes: png, contentType: 'image/png', filename: 'a.png' },
  'http://media.test/b.png': { bytes: png, contentType: 'image/png', filename: 'b.png' },
};
const deps = (dreamloom: FakeDreamloomClient) => ({ dreamloom, logger: silentLogger, editIntervalMs: 0 });

describe('runImagine', () => {
  it('creates the task as the platform user, reports progress, and finishes with the images', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [
        { status: 'pending', queuePosition: 2, etaSeconds: 40 },
        { status: 'processing', progress: 30, etaSeconds: 20 },
        { status: 'processing', progress: 80, etaSeconds: 5 },
        { status: 'completed', outputs: [{ url: 'http://media.test/a.png', width: 4, height: 4 }] },
      ],
      status: { status: 'completed', creditsUsed: 2, outputs: [{ url: 'http://media.test/a.png' }] },
      media,
    });
    const { sink, calls, overlapped } = recordingSink();

    const outcome = await runImagine(
      deps(dreamloom),
      { user, prompt: 'a lighthouse', aspectRatio: '16:9' },
      sink,
    );

    expect(outcome).toEqual({ status: 'completed', taskId: dreamloom.created[0].taskId, images: 1 });
    expect(dreamloom.created[0]).toMatchObject({
      user,
      input: { prompt: 'a lighthouse', aspectRatio: '16:9' },
    });
    const updates = calls.filter((c) => c.kind === 'update').map((c) => c.card);
    // The first card shows the accepted job; nothing is posted while the server decides.
    expect(updates[0].phase).toBe('pending');
    expect(updates.some((c) => c.text.includes('Status: Queued · #2 · ~40 s'))).toBe(true);
    expect(updates.some((c) => c.text.includes('▰▰▰▰▰▰▰▰▱▱ 80%'))).toBe(true);

    const last = calls.at(-1);
    expect(last?.kind).toBe('complete');
    if (last?.kind !== 'complete') throw new Error('unreachable');
    expect(last.card.phase).toBe('completed');
    expect(last.card.text).toContain('Credits: 2');
    expect(last.card.text).toContain('Images: 1');
    expect(last.images).toHaveLength(1);
    expect(isPng(last.images[0].bytes)).toBe(true);
    expect(last.images[0]).toMatchObject({ filename: 'a.png', width: 4, height: 4 });
    expect(overlapped()).toBe(false);
    expect(dreamloom.openWatches(outcome.status === 'completed' ? outcome.taskId : '')).toBe(0);
  });

  it('downloads every output of a batch', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [
        {
          status: 'completed',
          outputs: [{ url: 'http://media.test/a.png' }, { url: 'http://media.test/b.png' }],
        },
      ],
      status: { status: 'completed', creditsUsed: 4 },
      media,
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'two cats', batchSize: 2 }, sink);
    expect(outcome).toMatchObject({ status: 'completed', images: 2 });
    expect(dreamloom.downloads).toEqual(['http://media.test/a.png', 'http://media.test/b.png']);
    const last = calls.at(-1);
    expect(last?.kind === 'complete' && last.images.map((i) => i.filename)).toEqual(['a.png', 'b.png']);
  });

  it('takes the outputs from the status endpoint when the event was missed', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [{ status: 'completed' }],
      status: { status: 'completed', creditsUsed: 1, outputs: [{ url: 'http://media.test/a.png' }] },
      media,
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'p' }, sink);
    expect(outcome).toMatchObject({ status: 'completed', images: 1 });
    expect(calls.at(-1)?.kind).toBe('complete');
  });

  it('ends a failed job with the error on the card', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [
        { status: 'processing', progress: 50 },
        { status: 'failed', error: { code: 'CONTENT_BLOCKED', message: 'The prompt was blocked.' } },
      ],
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'p' }, sink);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'CONTENT_BLOCKED', message: 'The prompt was blocked.' },
    });
    const last = calls.at(-1);
    expect(last?.kind).toBe('fail');
    expect(last?.kind === 'fail' ? last.card.text : '').toContain('Error: The prompt was blocked.');
    expect(calls.filter((c) => c.kind === 'complete')).toHaveLength(0);
  });

  it('only rejects, with no card before it, when the server refuses the task', async () => {
    const dreamloom = new FakeDreamloomClient({
      createError: new DreamloomApiError(
        'INSUFFICIENT_CREDITS',
        'This generation costs 210 MC; your balance is 0 MC',
        402,
      ),
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'p' }, sink);
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'INSUFFICIENT_CREDITS' } });
    expect(dreamloom.watched).toEqual([]);
    expect(calls).toEqual([
      {
        kind: 'reject',
        error: {
          code: 'INSUFFICIENT_CREDITS',
          message: expect.stringMatching(
            /^This costs 210 MC and you have 0 MC\. Credits \(MC\) are added by/,
          ),
        },
      },
    ]);
  });

  it('hides internal server errors from the user', async () => {
    const dreamloom = new FakeDreamloomClient({
      createError: new DreamloomApiError('DB_DOWN', 'SQLITE_BUSY: database is locked', 500),
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'p' }, sink);
    expect(outcome.status).toBe('rejected');
    const last = calls.at(-1);
    expect(last?.kind === 'reject' && last.error.message).not.toContain('SQLITE');
  });

  it('fails the card when the images cannot be downloaded', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/missing.png' }] }],
      status: { status: 'completed', creditsUsed: 1 },
      media,
    });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine(deps(dreamloom), { user, prompt: 'p' }, sink);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MEDIA_DOWNLOAD_FAILED' } });
    expect(calls.at(-1)?.kind).toBe('fail');
  });

  it('says so when the job never finishes', async () => {
    const dreamloom = new FakeDreamloomClient({ script: [{ status: 'processing', progress: 10 }] });
    const { sink, calls } = recordingSink();
    const outcome = await runImagine({ ...deps(dreamloom), jobTimeoutMs: 50 }, { user, prompt: 'p' }, sink);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    expect(calls.at(-1)?.kind).toBe('fail');
    expect(dreamloom.openWatches(dreamloom.created[0].taskId)).toBe(0);
  });

  it('leaves a failed card when posting the images fails, and rethrows for the error boundary', async () => {
    const dreamloom = new FakeDreamloomClient({
      script: [{ status: 'completed', outputs: [{ url: 'http://media.test/a.png' }] }],
      status: { status: 'completed', creditsUsed: 1 },
      media,
    });
    const { sink, calls } = recordingSink({ failComplete: true });
    await expect(runImagine(deps(dreamloom), { user, prompt: 'p' }, sink)).rejects.toThrow('upload rejected');
    const last = calls.at(-1);
    expect(last?.kind).toBe('fail');
    expect(last?.kind === 'fail' ? last.card.text : '').toContain('could not be posted');
  });

  it('coalesces rapid progress into few edits when an interval is set', async () => {
    const script = Array.from({ length: 30 }, (_, i) => ({ status: 'processing' as const, progress: i * 3 }));
    const dreamloom = new FakeDreamloomClient({
      script: [...script, { status: 'completed', outputs: [{ url: 'http://media.test/a.png' }] }],
      stepDelayMs: 5,
      status: { status: 'completed', creditsUsed: 1 },
      media,
    });
    const { sink, calls } = recordingSink();
    await runImagine({ ...deps(dreamloom), editIntervalMs: 60 }, { user, prompt: 'p' }, sink);
    const updates = calls.filter((c) => c.kind === 'update');
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.length).toBeLessThan(10);
    expect(calls.at(-1)?.kind).toBe('complete');
  });
});
