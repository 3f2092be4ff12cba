import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDreamloomClient, DreamloomApiError, type DreamloomClient } from '@dreamloom/bots';
import { startSystem, type RunningSystem } from './support/system.js';
import { grant } from './support/anime.js';
import { api, botHeaders } from './support/clients.js';

/** The bots' HTTP client against the real server: balance and video quotes as /balance and /quote use them. */
describe('bot client: balance and quote', () => {
  let system: RunningSystem;
  let dreamloom: DreamloomClient;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
    dreamloom = createDreamloomClient({ baseUrl: system.baseUrl, botToken: system.botToken });
  });
  afterAll(async () => {
    await dreamloom?.close();
    await system?.stop();
  });

  it('reads the balance a staff grant changed and quotes the documented prices', async () => {
    const user = { platform: 'telegram' as const, id: '777001', username: 'kana' };
    const idle = { running: 0, queued: 0, limit: 3, dailyUsed: 0, dailyQuota: null };
    expect(await dreamloom.getBalance(user)).toEqual({ balance: 0, jobs: idle });
    const view = await api(system.baseUrl, 'GET', '/api/generation/credits', {
      headers: botHeaders(system.botToken, 'telegram', '777001'),
    });
    await grant(system, view.body.data.user_id, 500);
    expect(await dreamloom.getBalance(user)).toEqual({ balance: 500, jobs: idle });
    expect(
      await dreamloom.quoteVideo(user, { modelId: 'wan/2.5', durationSeconds: 10, resolution: '1080p' }),
    ).toEqual({
      credits: 1000,
      explain: 'Wan 2.5 (wan/2.5), 1080p, 10 s: 1000 MC',
    });
    const refused = await dreamloom
      .quoteVideo(user, { modelId: 'kling-3.0/video', resolution: '1080p' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DreamloomApiError);
    expect(refused).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
  });

  it('finds a generation by its short id among the member’s own only, as /show does', async () => {
    const owner = { platform: 'telegram' as const, id: '777003', username: 'mio' };
    const stranger = { platform: 'telegram' as const, id: '777004', username: 'ren' };
    const { taskId } = await dreamloom.createAnimeTask(owner, { prompt: 'a paper lantern' });
    expect(await dreamloom.findGenerations(owner, taskId.slice(0, 8))).toEqual([
      { taskId, kind: 'image', status: 'pending', prompt: 'a paper lantern', createdAt: expect.any(String) },
    ]);
    expect(await dreamloom.findGenerations(stranger, taskId.slice(0, 8))).toEqual([]);
    const refused = await dreamloom.findGenerations(owner, 'xyz').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
  });

  it('lists the member history the /history command shows', async () => {
    const user = { platform: 'discord' as const, id: '777002', username: 'sora' };
    expect(await dreamloom.getHistory(user)).toEqual({ entries: [], total: 0 });
    const { taskId } = await dreamloom.createAnimeTask(user, { prompt: 'a paper crane' });
    const page = await dreamloom.getHistory(user);
    expect(page.total).toBe(1);
    expect(page.entries[0]).toMatchObject({
      taskId,
      kind: 'anime',
      status: 'pending',
      prompt: 'a paper crane',
      outputs: [],
    });
  });
});
