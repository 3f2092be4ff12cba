import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { balanceOf, grant, member, waitForEnd } from './support/anime.js';

const PRICE = 5; // MC per image at the default price rule

/**
 * Job card actions on the server (reroll, variation, upscale) and references to Dreamloom's own
 * media, on the embedded default: loopback PUBLIC_URL and no reference allow-list, so our media
 * can only work by being read from storage, never through the SSRF-guarded fetcher.
 */
describe('anime job card actions and own-media references', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', env: { ANIME_IMAGE_CREDITS_PER_IMAGE: String(PRICE) } });
    expect(system.config.ANIME_REFERENCE_ALLOWED_HOSTS).toEqual([]);
    expect(new URL(system.config.PUBLIC_URL).hostname).toBe('127.0.0.1');
  });
  afterAll(async () => {
    await system?.stop();
  });

  const post = (path: string, headers: Record<string, string>, body?: unknown) =>
    api(system.baseUrl, 'POST', path, { headers, body });
  const paramsOf = async (taskId: string) =>
    JSON.parse((await system.core.models.GenerationTask.findByPk(taskId))!.params);

  async function funded(id: string, amount = 200) {
    const who = await member(system, id);
    expect((await grant(system, who.userId, amount)).status).toBe(200);
    return who;
  }

  async function finishedImage(headers: Record<string, string>, body: Record<string, unknown>) {
    const created = await post('/api/anime-generation/create-task', headers, { gen_type: 'anime', ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const done = await waitForEnd(system, created.body.data.generation_uuid, headers);
    expect(done.status).toBe('completed');
    return { taskId: created.body.data.generation_uuid as string, done };
  }

  async function upload(headers: Record<string, string>, color: string): Promise<string> {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: color } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'frame.png');
    const answer = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
      method: 'POST',
      headers,
      body: form,
    });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { url: string }).url;
  }

  it('rerolls with every stored setting, for the owner only, charged like a new generation', async () => {
    const { headers, userId } = await funded('actions-reroll');
    const { taskId, done } = await finishedImage(headers, {
      prompt: 'a lighthouse at dusk',
      aspect_ratio: '16:9',
      image_resolution: '1K',
      style_preset: 'cel-shaded',
      batch_size: 2,
    });
    // The owner's status answer lists the card actions; Jimeng below 4K can be upscaled.
    expect(done.actions).toEqual(['reroll', 'variation', 'upscale']);
    const before = (await balanceOf(system, headers)).balance;

    const rerolled = await post(`/api/generation/reroll/${taskId}`, headers);
    expect(rerolled.status).toBe(200);
    expect(rerolled.body.data).toMatchObject({
      status: 'pending',
      kind: 'image',
      prompt: 'a lighthouse at dusk',
    });
    const newId = rerolled.body.data.generation_uuid;
    expect(newId).not.toBe(taskId);
    const params = await paramsOf(newId);
    expect(params.ratio).toBe('16:9');
    expect(params.resolution).toBe('1k');
    expect(params.request).toMatchObject({
      aspect_ratio: '16:9',
      image_resolution: '1K',
      style_preset: 'cel-shaded',
      batch_size: 2,
    });
    const row = await system.core.models.GenerationTask.findByPk(newId);
    expect(row!.user_id).toBe(userId);
    expect((await waitForEnd(system, newId, headers)).status).toBe('completed');
    expect((await balanceOf(system, headers)).balance).toBe(before - 2 * PRICE);

    const stranger = await funded('actions-stranger');
    for (const path of [
      `/api/generation/reroll/${taskId}`,
      `/api/anime-generation/variation/${taskId}`,
      `/api/anime-generation/upscale/${taskId}`,
    ]) {
      const refused = await post(path, stranger.headers, { image_index: 0 });
      expect(refused.status, path).toBe(404);
      expect(refused.body).toEqual({
        success: false,
        error: { code: 'GENERATION_NOT_FOUND', message: 'Generation not found' },
      });
    }
    // Other members see no actions on it (staff may read the status, but the buttons are the owner's).
    const staffView = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, {
      token: system.admin.token,
    });
    expect(staffView.body.actions).toEqual([]);
    const badIndex = await post(`/api/anime-generation/variation/${taskId}`, headers, { image_index: 7 });
    expect(badIndex.status).toBe(404);
    expect(badIndex.body.error.code).toBe('IMAGE_NOT_FOUND');
    const noIndex = await post(`/api/anime-generation/variation/${taskId}`, headers, {});
    expect(noIndex.status).toBe(400);
  });

  it('makes a variation with the chosen output read from storage as the first reference', async () => {
    const { headers, userId } = await funded('actions-variation');
    const { taskId, done } = await finishedImage(headers, { prompt: 'two foxes', batch_size: 2 });
    const varied = await post(`/api/anime-generation/variation/${taskId}`, headers, { image_index: 1 });
    expect(varied.status, JSON.stringify(varied.body)).toBe(200);
    const newId = varied.body.data.generation_uuid;
    const params = await paramsOf(newId);
    // The output URL is on the loopback PUBLIC_URL with no allow-list: only storage could read it.
    expect(params.request.reference_image_urls).toEqual([done.results[1].image_url]);
    expect(params.referenceImages).toHaveLength(1);
    expect(params.referenceImages[0]).toContain(`/media/references/${userId}/`);
    expect(params.request.batch_size).toBe(2);
    const copy = params.request.reference_storage_keys[0] as string;
    const original = await system.core.models.MediaAsset.findOne({ where: { task_id: taskId, position: 1 } });
    expect(
      (await system.core.storage.get(copy)).equals(await system.core.storage.get(original!.storage_key)),
    ).toBe(true);
    const finished = await waitForEnd(system, newId, headers);
    expect(finished.status).toBe('completed');
    expect(finished.results).toHaveLength(2);
  });

  it('upscales one output to 4K where the model can, and refuses where it cannot', async () => {
    const { headers } = await funded('actions-upscale');
    const { taskId, done } = await finishedImage(headers, { prompt: 'a paper crane', batch_size: 2 });
    const before = (await balanceOf(system, headers)).balance;
    const upscaled = await post(`/api/anime-generation/upscale/${taskId}`, headers, { image_index: 0 });
    expect(upscaled.status, JSON.stringify(upscaled.body)).toBe(200);
    const newId = upscaled.body.data.generation_uuid;
    const params = await paramsOf(newId);
    expect(params.resolution).toBe('4k');
    expect(params.request).toMatchObject({
      image_resolution: '4K',
      batch_size: 1,
      reference_image_urls: [done.results[0].image_url],
    });
    const finished = await waitForEnd(system, newId, headers);
    expect(finished.status).toBe('completed');
    // Charged exactly like a member's own 4K, one-image create-task (the normal quote).
    const charged = before - (await balanceOf(system, headers)).balance;
    expect(charged).toBeGreaterThan(0);
    const direct = await finishedImage(headers, { prompt: 'a paper crane', image_resolution: '4K' });
    const ledger = (await balanceOf(system, headers)).ledger;
    const chargeOf = (id: string) =>
      -ledger.filter((e) => e.task_id === id && e.kind === 'charge').reduce((sum, e) => sum + e.amount, 0);
    expect(chargeOf(newId)).toBe(charged);
    expect(chargeOf(direct.taskId)).toBe(charged);
    // Already 4K: nothing left to upscale.
    expect(finished.actions).toEqual(['reroll', 'variation']);
    const again = await post(`/api/anime-generation/upscale/${newId}`, headers, { image_index: 0 });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('UPSCALE_NOT_SUPPORTED');

    // gemini-2.5-flash-image has no imageSize: no upscale offered or accepted.
    const flash = await finishedImage(headers, { prompt: 'a teacup', model_uuid: 'gemini-2.5-flash-image' });
    expect(flash.done.actions).toEqual(['reroll', 'variation']);
    const refused = await post(`/api/anime-generation/upscale/${flash.taskId}`, headers, { image_index: 0 });
    expect(refused.body.error.code).toBe('UPSCALE_NOT_SUPPORTED');
    const pro = await finishedImage(headers, {
      prompt: 'a teapot',
      model_uuid: 'gemini-3-pro-image-preview',
    });
    expect(pro.done.actions).toEqual(['reroll', 'variation', 'upscale']);
  });

  it("uses the member's own uploads and public outputs as references, refuses others' private media", async () => {
    const owner = await funded('media-owner');
    const other = await funded('media-other');
    const uploaded = await upload(owner.headers, '#3366ff');
    expect(uploaded.startsWith(`${system.config.PUBLIC_URL}/api/v1/images/`)).toBe(true);
    const mine = await finishedImage(owner.headers, {
      prompt: 'from my upload',
      reference_image_urls: [uploaded],
    });
    expect((await paramsOf(mine.taskId)).referenceImages).toHaveLength(1);
    // By media id too ("an uploaded image id").
    const uploadRow = await system.core.models.MediaAsset.findOne({
      where: { storage_key: `uploads/${uploaded.split('/').pop()}` },
    });
    const byId = await post('/api/anime-generation/create-task', owner.headers, {
      prompt: 'by id',
      reference_image_urls: [uploadRow!.id],
    });
    expect(byId.status).toBe(200);
    await waitForEnd(system, byId.body.data.generation_uuid, owner.headers);

    const count = () => system.core.models.GenerationTask.count({ where: { user_id: other.userId } });
    const before = await count();
    const refusedUrls = [
      uploaded, // someone else's upload
      `${system.config.PUBLIC_URL}/api/v1/images/${uploadRow!.id}`,
      uploadRow!.id,
      `${system.config.PUBLIC_URL}/media/${uploadRow!.storage_key}`,
      // someone else's reference copy
      (await paramsOf(mine.taskId)).referenceImages[0],
      `${system.config.PUBLIC_URL}/media/tasks/does-not-exist/0.png`,
      `${system.config.PUBLIC_URL}/media/..%2F..%2Fetc%2Fpasswd`,
    ];
    for (const url of refusedUrls) {
      const answer = await post('/api/anime-generation/create-task', other.headers, {
        prompt: 'not yours',
        reference_image_urls: [url],
      });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.code, url).toBe('REFERENCE_IMAGE_REFUSED');
    }
    // A public generation's output is usable by others; once private, it is not.
    const output = mine.done.results[0].image_url as string;
    const publicUse = await post('/api/anime-generation/create-task', other.headers, {
      prompt: 'from a public image',
      reference_image_urls: [output],
    });
    expect(publicUse.status).toBe(200);
    await waitForEnd(system, publicUse.body.data.generation_uuid, other.headers);
    await system.core.models.GenerationTask.update({ visibility: 'private' }, { where: { id: mine.taskId } });
    const privateUse = await post('/api/anime-generation/create-task', other.headers, {
      prompt: 'from a private image',
      reference_image_urls: [output],
    });
    expect(privateUse.status).toBe(400);
    expect(privateUse.body.error.code).toBe('REFERENCE_IMAGE_REFUSED');
    expect(await count()).toBe(before + 1);

    // Loopback under another name is not our PUBLIC_URL: the SSRF guard still refuses it.
    const port = new URL(system.baseUrl).port;
    const viaLocalhost = await post('/api/anime-generation/create-task', owner.headers, {
      prompt: 'sneaky',
      reference_image_urls: [`http://localhost:${port}/media/${uploadRow!.storage_key}`],
    });
    expect(viaLocalhost.status).toBe(400);
    expect(viaLocalhost.body.error.code).toBe('REFERENCE_IMAGE_REFUSED');
  });

  it('checks video frames that are Dreamloom media, and rerolls videos with every setting', async () => {
    const owner = await funded('video-owner', 2000);
    const other = await funded('video-other', 2000);
    const frame = await upload(owner.headers, '#22aa44');
    const created = await post('/api/anime-video/create-task', owner.headers, {
      prompt: 'a paper boat drifting',
      model_id: 'wan/2.5',
      duration_seconds: 5,
      aspect_ratio: '9:16',
      resolution: '1080p',
      reference_image_urls: [frame],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const taskId = created.body.data.generation_uuid;
    const done = await waitForEnd(system, taskId, owner.headers);
    expect(done.status).toBe('completed');
    expect(done.actions).toEqual(['reroll']);

    const stolen = await post('/api/anime-video/create-task', other.headers, {
      prompt: 'not my frame',
      model_id: 'wan/2.5',
      reference_image_urls: [frame],
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('REFERENCE_IMAGE_REFUSED');

    const before = (await balanceOf(system, owner.headers)).balance;
    const rerolled = await post(`/api/generation/reroll/${taskId}`, owner.headers);
    expect(rerolled.status, JSON.stringify(rerolled.body)).toBe(200);
    expect(rerolled.body.data).toMatchObject({
      kind: 'video',
      prompt: 'a paper boat drifting',
      credits_cost: 500,
    });
    const params = await paramsOf(rerolled.body.data.generation_uuid);
    expect(params.request).toMatchObject({
      model_id: 'wan/2.5',
      task_subtype: 'image_to_video',
      aspect_ratio: '9:16',
      duration_seconds: 5,
      resolution: '1080p',
      reference_image_urls: [frame],
    });
    expect((await waitForEnd(system, rerolled.body.data.generation_uuid, owner.headers)).status).toBe(
      'completed',
    );
    expect((await balanceOf(system, owner.headers)).balance).toBe(before - 500);
    const variation = await post(`/api/anime-generation/variation/${taskId}`, owner.headers, {
      image_index: 0,
    });
    expect(variation.status).toBe(404);
  });
});
