import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { walletLogin } from './support/story.js';
import { OVERVIEW_DAY, OVERVIEW_EXPECTED, seedOverviewWorld } from './support/overview.js';

/**
 * GET /api/v1/admin/overview: the whole system over a window, on both databases — every
 * generation family's outcomes with average and p95 time in seconds (ms precision), errors by
 * class, chat activity, credits and queues; a bad window is a 400 in the envelope; members 403,
 * anonymous 401.
 */
describe.each(['sqlite', 'mariadb'] as const)('staff overview on %s', (db) => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
    await seedOverviewWorld(system);
  });
  afterAll(async () => {
    await system?.stop();
  });

  const overview = (query: string, token: string | null = system.admin.token) =>
    api(system.baseUrl, 'GET', `/api/v1/admin/overview?${query}`, { token: token ?? undefined });

  it('counts every family in the window with exact average and p95 seconds', async () => {
    const answer = await overview(`from=${OVERVIEW_DAY.from}&to=${OVERVIEW_DAY.to}`);
    expect(answer.status).toBe(200);
    const data = answer.body.data;
    expect(data.window).toEqual({ ...OVERVIEW_DAY, time_zone: 'Asia/Shanghai', bucket: 'hour' });
    const byFamily = Object.fromEntries(data.families.map((row: { family: string }) => [row.family, row]));
    expect(Object.keys(byFamily)).toEqual([
      'jimeng',
      'anime_image',
      'anime_video',
      'nanobanana',
      'story_image',
    ]);
    for (const [family, figures] of Object.entries(OVERVIEW_EXPECTED.families))
      expect(byFamily[family], family).toMatchObject(figures);
    expect(data.totals).toMatchObject(OVERVIEW_EXPECTED.totals);
    expect(data.totals.avg_seconds).toBe(OVERVIEW_EXPECTED.totalsAvg);
    expect(data.totals.p95_seconds).toBe(OVERVIEW_EXPECTED.totalsP95);
    expect(data.totals.success_rate).toBe(0.848);
    expect(data.errors).toEqual(OVERVIEW_EXPECTED.errors);
    expect(data.chat).toEqual(OVERVIEW_EXPECTED.chat);
    expect(data.credits).toEqual(OVERVIEW_EXPECTED.credits);

    // 24 hourly buckets; Jimeng's tasks fell in hours 2 and 3, the others later.
    expect(data.series).toHaveLength(24);
    expect(data.series[0].start).toBe(OVERVIEW_DAY.from);
    expect(data.series[2]).toEqual({ start: '2026-01-10T02:00:00.000Z', counts: { jimeng: 21 }, failed: 1 });
    expect(data.series[3].counts).toEqual({ jimeng: 3 });
    expect(data.series[10].counts).toEqual({ anime_image: 4 });
    expect(data.series[11].counts).toEqual({ anime_video: 3 });
    expect(data.series[12]).toMatchObject({ counts: { nanobanana: 3 }, failed: 1 });
    expect(data.series[13].counts).toEqual({ story_image: 1 });

    // Queue depth now, per queue the workers run (Redis answers in tests).
    expect(data.queues.map((queue: { name: string }) => queue.name)).toContain('generation');
    for (const queue of data.queues) expect(typeof queue.waiting).toBe('number');
  });

  it('cuts long windows into local days of the staff zone', async () => {
    const answer = await overview('from=2026-01-08T16:00:00Z&to=2026-01-11T16:00:00Z&tz=Asia/Shanghai');
    expect(answer.status).toBe(200);
    const { series, window } = answer.body.data;
    expect(window.bucket).toBe('day');
    // Shanghai midnights are 16:00 UTC the day before.
    expect(series.map((point: { start: string }) => point.start)).toEqual([
      '2026-01-08T16:00:00.000Z',
      '2026-01-09T16:00:00.000Z',
      '2026-01-10T16:00:00.000Z',
    ]);
    // Jan 10 Shanghai = Jan 9 16:00 → Jan 10 16:00 UTC: hours 0–15 of the seeded day (and the
    // task created a millisecond before it).
    expect(series[1].counts).toEqual({
      jimeng: 25,
      anime_image: 4,
      anime_video: 3,
      nanobanana: 3,
      story_image: 1,
    });
    expect(series[0].counts).toEqual({});
    // The task created at the seeded day's (exclusive) end is Jan 11 in Shanghai.
    expect(series[2].counts).toEqual({ anime_image: 1 });
  });

  it('answers named ranges ending now', async () => {
    const answer = await overview('range=7d&tz=UTC');
    expect(answer.status).toBe(200);
    const { window, series } = answer.body.data;
    expect(window.time_zone).toBe('UTC');
    expect(window.bucket).toBe('day');
    expect(series).toHaveLength(7);
    expect(window.from.endsWith('T00:00:00.000Z')).toBe(true);
  });

  it('answers a window of a single bucket (the first hour of a day, before it is over)', async () => {
    // 02:00–02:30 UTC on the seeded day: Jimeng's 21 tasks of hour 2 fall in it, in one bucket.
    const answer = await overview('from=2026-01-10T02:00:00.000Z&to=2026-01-10T02:30:00.000Z&tz=UTC');
    expect(answer.status).toBe(200);
    const { window, series } = answer.body.data;
    expect(window.bucket).toBe('hour');
    expect(series).toHaveLength(1);
    expect(series[0].start).toBe('2026-01-10T02:00:00.000Z');
  });

  it('refuses bad windows with a 400 in the envelope', async () => {
    const cases = [
      'range=year',
      'from=2026-01-10&to=2026-01-11',
      `from=${OVERVIEW_DAY.to}&to=${OVERVIEW_DAY.from}`,
      `from=${OVERVIEW_DAY.from}`,
      `range=today&from=${OVERVIEW_DAY.from}&to=${OVERVIEW_DAY.to}`,
      'from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'tz=Mars/Olympus',
      'from=not-a-date&to=2026-01-01T00:00:00Z',
    ];
    for (const query of cases) {
      const answer = await overview(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.code, query).toBe(400);
      expect(typeof answer.body.message, query).toBe('string');
    }
  });

  it('is staff only: members 403, anonymous 401', async () => {
    const member = await walletLogin(system);
    expect((await overview('range=today', member.token)).status).toBe(403);
    expect((await overview('range=today', null)).status).toBe(401);
  });
});
