import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { grant, member, waitForEnd } from './support/anime.js';

/**
 * The staff endpoints behind the admin's anime screens: users with balances, every preset, the
 * configured models with their prices, and every member's generations. Staff only.
 */
describe('anime admin API', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', env: { ANIME_IMAGE_CREDITS_PER_IMAGE: '5' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const staffGet = (path: string) => api(system.baseUrl, 'GET', path, { token: system.admin.token });

  it('refuses members on every staff endpoint', async () => {
    const { headers } = await member(system, 'admin-api-outsider');
    for (const path of [
      '/api/generation/credits/users',
      '/api/anime-generation/admin/presets',
      '/api/anime-generation/admin/models',
      '/api/anime-generation/admin/generations',
    ]) {
      const answer = await api(system.baseUrl, 'GET', path, { headers });
      expect(answer.status, path).toBe(403);
      expect(answer.body.success, path).toBe(false);
      const anonymous = await api(system.baseUrl, 'GET', path);
      expect(anonymous.status, path).toBe(401);
    }
  });

  it('lists users with their balance and platform identity, searchable and paged', async () => {
    const { userId } = await member(system, 'admin-api-rich');
    await grant(system, userId, 750, 'admin-api-rich');
    const telegram = botHeaders(system.botToken, 'telegram', '90210');
    await api(system.baseUrl, 'GET', '/api/generation/credits', { headers: telegram });

    const all = await staffGet('/api/generation/credits/users?limit=100');
    expect(all.status).toBe(200);
    expect(all.body.success).toBe(true);
    const rich = all.body.data.records.find((user: { user_id: string }) => user.user_id === userId);
    expect(rich).toMatchObject({ balance: 750, identities: ['discord:admin-api-rich'] });
    expect(all.body.data.pagination).toMatchObject({ page: 1, limit: 100 });
    expect(all.body.data.pagination.total).toBe(all.body.data.records.length);

    const found = await staffGet('/api/generation/credits/users?q=90210');
    expect(found.status).toBe(200);
    expect(found.body.data.records).toHaveLength(1);
    expect(found.body.data.records[0]).toMatchObject({ balance: 0, identities: ['telegram:90210'] });

    const byId = await staffGet(`/api/generation/credits/users?q=${userId}`);
    expect(byId.body.data.records.map((user: { user_id: string }) => user.user_id)).toEqual([userId]);

    const paged = await staffGet('/api/generation/credits/users?limit=1&page=2');
    expect(paged.body.data.records).toHaveLength(1);
    expect(paged.body.data.pagination.totalPages).toBe(all.body.data.pagination.total);

    const bad = await staffGet('/api/generation/credits/users?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
  });

  it('lists every preset, inactive ones too, filtered by kind', async () => {
    const saved = await api(
      system.baseUrl,
      'PUT',
      '/api/anime-generation/admin/presets/style/admin-api-off',
      {
        token: system.admin.token,
        body: { name: 'Hidden style', prompt: 'hidden', sort_order: 99, is_active: false },
      },
    );
    expect(saved.status).toBe(200);
    const styles = await staffGet('/api/anime-generation/admin/presets?kind=style');
    expect(styles.status).toBe(200);
    expect(styles.body.data.every((preset: { kind: string }) => preset.kind === 'style')).toBe(true);
    expect(styles.body.data).toContainEqual({
      kind: 'style',
      key: 'admin-api-off',
      name: 'Hidden style',
      prompt: 'hidden',
      sort_order: 99,
      is_active: false,
    });
    // Members' catalog shows active presets only.
    const { headers } = await member(system, 'admin-api-presets');
    const visible = await api(system.baseUrl, 'GET', '/api/anime-generation/presets?kind=style', { headers });
    expect(visible.body.data.map((preset: { key: string }) => preset.key)).not.toContain('admin-api-off');

    const all = await staffGet('/api/anime-generation/admin/presets');
    const kinds = new Set(all.body.data.map((preset: { kind: string }) => preset.kind));
    expect([...kinds].sort()).toEqual(['action', 'outfit', 'scene', 'style']);
    const badKind = await staffGet('/api/anime-generation/admin/presets?kind=weather');
    expect(badKind.status).toBe(400);
  });

  it('shows the configured image and video models with their options and prices', async () => {
    const answer = await staffGet('/api/anime-generation/admin/models');
    expect(answer.status).toBe(200);
    const { image, video } = answer.body.data;
    expect(image[0]).toMatchObject({
      model_uuid: 'jimeng-4.5',
      provider: 'jimeng',
      is_default: true,
      // ANIME_IMAGE_CREDITS_PER_IMAGE is the default rule until staff set one.
      price: { type: 'flat', credits: 5 },
      price_source: 'default',
      resolutions: ['1K', '2K', '4K'],
      max_batch_size: 4,
    });
    expect(image.filter((model: { provider: string }) => model.provider === 'gemini').length).toBeGreaterThan(
      0,
    );
    expect(video.map((model: { model_id: string }) => model.model_id)).toEqual([
      'wan/2.5',
      'kling/video-v2.5',
      'kling-3.0/video',
      'sora-2',
      'sora-2-pro',
    ]);
    const wan = video.find((model: { model_id: string }) => model.model_id === 'wan/2.5');
    expect(wan).toMatchObject({
      provider: 'kie',
      resolutions: ['720p', '1080p'],
      durations: [5, 10],
      price: { type: 'table', table: { '720p:5': 300, '720p:10': 600, '1080p:5': 500, '1080p:10': 1000 } },
    });
    const kling3 = video.find((model: { model_id: string }) => model.model_id === 'kling-3.0/video');
    expect(kling3).toMatchObject({ modes: ['std', 'pro'], max_reference_images: 2, multi_shots: true });
  });

  it("lists every member's image and video generations with their media, filtered by kind, status and user", async () => {
    const first = await member(system, 'admin-api-gen-1');
    const second = await member(system, 'admin-api-gen-2');
    await grant(system, first.userId, 1000);
    await grant(system, second.userId, 1000);
    const image = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: first.headers,
      body: { prompt: 'admin list image', batch_size: 2 },
    });
    expect(image.status).toBe(200);
    const video = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers: second.headers,
      body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: 'admin list video' },
    });
    expect(video.status).toBe(200);
    const imageId = image.body.data.generation_uuid as string;
    const videoId = video.body.data.generation_uuid as string;
    expect((await waitForEnd(system, imageId, first.headers)).status).toBe('completed');
    expect((await waitForEnd(system, videoId, second.headers, 40_000)).status).toBe('completed');

    const all = await staffGet('/api/anime-generation/admin/generations?limit=100');
    expect(all.status).toBe(200);
    const ids = all.body.data.records.map((record: { generation_uuid: string }) => record.generation_uuid);
    expect(ids).toEqual(expect.arrayContaining([imageId, videoId]));
    const imageRecord = all.body.data.records.find(
      (record: { generation_uuid: string }) => record.generation_uuid === imageId,
    );
    expect(imageRecord).toMatchObject({
      user_id: first.userId,
      gen_type: 'anime',
      status: 'completed',
      credits_used: 10,
      batch_size: 2,
    });
    expect(imageRecord.images).toHaveLength(2);
    expect(imageRecord.images[0].mime).toMatch(/^image\//);
    expect(all.body.data.pagination).toMatchObject({ page: 1, limit: 100, hasPrev: false });

    const videos = await staffGet('/api/anime-generation/admin/generations?kind=video&limit=100');
    expect(videos.body.data.records.map((record: { gen_type: string }) => record.gen_type)).not.toContain(
      'anime',
    );
    const videoRecord = videos.body.data.records.find(
      (record: { generation_uuid: string }) => record.generation_uuid === videoId,
    );
    expect(videoRecord).toMatchObject({ user_id: second.userId, gen_type: 'video', credits_used: 300 });
    expect(videoRecord.images[0].mime).toMatch(/^video\//);

    const images = await staffGet('/api/anime-generation/admin/generations?kind=image&limit=100');
    expect(
      images.body.data.records.map((record: { generation_uuid: string }) => record.generation_uuid),
    ).not.toContain(videoId);
    const ofFirst = await staffGet(`/api/anime-generation/admin/generations?user_id=${first.userId}`);
    expect(
      ofFirst.body.data.records.map((record: { generation_uuid: string }) => record.generation_uuid),
    ).toEqual([imageId]);
    const pending = await staffGet(
      `/api/anime-generation/admin/generations?user_id=${first.userId}&status=pending`,
    );
    expect(pending.body.data.records).toEqual([]);
    expect(pending.body.data.pagination.total).toBe(0);
    const badKind = await staffGet('/api/anime-generation/admin/generations?kind=audio');
    expect(badKind.status).toBe(400);
  });
});
