import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatActivity } from './chat-activity.js';
import { runImagine, type JobCardSink } from './imagine.handler.js';
import { silentLogger } from './logger.js';
import { RecentJobDurations } from './recent-job-durations.js';
import { FakeDreamloomClient, type ScriptedSnapshot } from '../testing/fake-dreamloom-client.js';
import { solidPng } from '../testing/png.js';

const user = { platform: 'telegram' as const, id: '42', username: 'mika' };
const media = {
  'http://media.test/a.png': { bytes: solidPng(4, 4), contentType: 'image/png', filename: 'a.png' },
};
const completed: ScriptedSnapshot = { status: 'completed', outputs: [{ url: 'http://media.test/a.png' }] };

/** Card texts as the member saw them, and when the chat showed "sending a photo…" (fake time). */
function livingSink() {
  const texts: string[] = [];
  const activity: Array<{ media: string; at: number }> = [];
  const sink: JobCardSink = {
    place: 'chat:1',
    update: async (card) => void texts.push(card.text),
    complete: async (card) => void texts.push(card.text),
    fail: async (card) => void texts.push(card.text),
    reject: async () => undefined,
    showActivity: async (kind) => void activity.push({ media: kind, at: Date.now() }),
  };
  return { sink, texts, activity };
}

const statusOf = (text: string) => /^Status: (.*)$/m.exec(text)?.[1];

describe('live job cards (fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a queued card an ETA and a running card elapsed of expected, learnt from the jobs before', async () => {
    const durations = new RecentJobDurations();
    const activity = new ChatActivity({ intervalMs: 4000 });
    const deps = (script: ScriptedSnapshot[]) => ({
      dreamloom: new FakeDreamloomClient({ script, stepDelayMs: 10_000, media }),
      logger: silentLogger,
      editIntervalMs: 0,
      durations,
      activity,
      tickMs: 5000,
    });

    // First job: queued at #1 for 20 s, ran 20 s. Nothing to promise yet.
    const first = livingSink();
    const firstRun = runImagine(
      deps([
        { status: 'pending', queuePosition: 1 },
        { status: 'processing', progress: 20 },
        { status: 'processing', progress: 60 },
        completed,
      ]),
      { user, prompt: 'a lighthouse' },
      first.sink,
    );
    await vi.advanceTimersByTimeAsync(40_000);
    await expect(firstRun).resolves.toMatchObject({ status: 'completed' });
    expect(first.texts.map(statusOf)).toContain('Queued · #1');
    expect(first.texts.map(statusOf)).toContain('Generating · 5 s');
    expect(durations.expectedRunMs('image:default')).toBe(20_000);

    // The first job's last chat action went out at 40 s; the next job starts after the pacing
    // interval (4 s), so its first one is not held back.
    await vi.advanceTimersByTimeAsync(5000);
    // Second job, #2 in line: 2 places × 20 s of waiting + a 20 s run. It then runs 30 s.
    const second = livingSink();
    const started = Date.now();
    const secondRun = runImagine(
      deps([
        { status: 'pending', queuePosition: 2 },
        { status: 'processing', progress: 20 },
        { status: 'processing', progress: 50 },
        { status: 'processing', progress: 80 },
        completed,
      ]),
      { user, prompt: 'a harbour' },
      second.sink,
    );
    await vi.advanceTimersByTimeAsync(50_000);
    await expect(secondRun).resolves.toMatchObject({ status: 'completed' });
    const statuses = second.texts.map(statusOf);
    expect(statuses).toContain('Queued · #2 · ~1 min');
    expect(statuses).toContain('Generating · 5 s of ~20 s');
    expect(statuses).toContain('Generating · 20 s of ~20 s');
    // Past what recent runs took, the card says so instead of counting beyond "of ~20 s".
    expect(statuses).toContain('Generating · 25 s, usually ~20 s');
    expect(statuses.at(-1)).toBe('Completed');
    // The median of 20 s and 30 s for the next card.
    expect(durations.expectedRunMs('image:default')).toBe(25_000);

    // "Sending a photo…" at the start and every tick while the job ran, not after.
    expect(second.activity.every((a) => a.media === 'image')).toBe(true);
    const pulses = second.activity.map((a) => a.at - started);
    expect(pulses.slice(0, 10)).toEqual([
      0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 45_000,
    ]);
    expect(pulses.every((at) => at <= 50_000)).toBe(true);
    const sent = second.activity.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.activity).toHaveLength(sent);
  });

  it('puts kie states on a video card in words, with the elapsed time', async () => {
    const { sink, texts } = livingSink();
    const dreamloom = new FakeDreamloomClient({
      script: [
        { status: 'processing', progress: 20, message: 'kie: waiting' },
        { status: 'processing', progress: 25, message: 'kie: generating' },
        { status: 'processing', progress: 90, message: 'kie: success' },
        { status: 'failed', error: { code: 'X', message: 'no' } },
      ],
      stepDelayMs: 10_000,
    });
    const run = runImagine(
      { dreamloom, logger: silentLogger, editIntervalMs: 0, tickMs: 5000 },
      { user, prompt: 'a fox running' },
      sink,
    );
    await vi.advanceTimersByTimeAsync(40_000);
    await run;
    const statuses = texts.map(statusOf);
    expect(statuses).toContain('Generating — waiting for the video service · 0 s');
    expect(statuses).toContain('Generating — waiting for the video service · 5 s');
    expect(statuses).toContain('Generating — rendering the video · 10 s');
    expect(statuses).toContain('Generating — finishing · 20 s');
  });
});
