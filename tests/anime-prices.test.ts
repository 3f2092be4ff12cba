import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { balanceOf, grant, member } from './support/anime.js';

const priceUrl = (kind: 'image' | 'video', modelId: string) =>
  `/api/anime-generation/admin/models/${kind}/${encodeURIComponent(modelId)}/price`;

/** Staff edit image and video price rules; quotes and charges follow them; every change is audited. */
for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`model prices (${db})`, () => {
    let system: RunningSystem;
    let adminId: string;

    beforeAll(async () => {
      // No worker: the charge happens at create-task, which is all these tests need.
      system = await startSystem({ db, worker: false, env: { ANIME_IMAGE_CREDITS_PER_IMAGE: '5' } });
      const self = await api(system.baseUrl, 'GET', '/api/generation/credits', { token: system.admin.token });
      adminId = self.body.data.user_id as string;
    });
    afterAll(async () => {
      await system?.stop();
    });

    const setPrice = (kind: 'image' | 'video', modelId: string, price: unknown) =>
      api(system.baseUrl, 'PUT', priceUrl(kind, modelId), { token: system.admin.token, body: { price } });

    it('lets only staff change prices', async () => {
      const { headers } = await member(system, `price-outsider-${db}`);
      const body = { price: { type: 'flat', credits: 0 } };
      const refused = await api(system.baseUrl, 'PUT', priceUrl('image', 'jimeng-4.5'), { headers, body });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
      const anonymous = await api(system.baseUrl, 'PUT', priceUrl('video', 'wan/2.5'), { body });
      expect(anonymous.status).toBe(401);
      const audit = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/price-changes', {
        headers,
      });
      expect(audit.status).toBe(403);
      const models = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/models', {
        token: system.admin.token,
      });
      expect(models.body.data.image[0]).toMatchObject({
        price: { type: 'flat', credits: 5 },
        price_source: 'default',
      });
    });

    it('refuses rules that do not price every option, with the field named', async () => {
      const cases: Array<
        [kind: 'image' | 'video', model: string, price: unknown, status: number, text: string]
      > = [
        ['image', 'jimeng-4.5', { type: 'table', table: { '1K': 2, '2K': 4 } }, 400, 'No price for 4K'],
        ['image', 'jimeng-4.5', { type: 'table', table: { '8K': 2, '*': 1 } }, 400, 'Unknown price keys 8K'],
        ['image', 'jimeng-4.5', { type: 'flat', credits: -1 }, 400, 'price must be'],
        ['image', 'jimeng-4.5', { type: 'flat', credits: 1.5 }, 400, 'price must be'],
        ['image', 'no-such-model', { type: 'flat', credits: 1 }, 404, 'Unknown model'],
        [
          'video',
          'wan/2.5',
          { type: 'table', table: { '720p:5': 1, '720p:10': 2, '1080p:5': 3 } },
          400,
          '1080p 10 s',
        ],
        [
          'video',
          'wan/2.5',
          { type: 'table', table: { 'pro:5': 1, '*:*': 2 } },
          400,
          'Unknown price keys pro:5',
        ],
        ['video', 'sora-2', { type: 'table', table: { '*:5': 1 } }, 400, 'Unknown price keys *:5'],
      ];
      for (const [kind, model, price, status, text] of cases) {
        const answer = await setPrice(kind, model, price);
        expect(answer.status, JSON.stringify(price)).toBe(status);
        expect(answer.body.success).toBe(false);
        expect(answer.body.error.message).toContain(text);
      }
      const missing = await api(system.baseUrl, 'PUT', priceUrl('image', 'jimeng-4.5'), {
        token: system.admin.token,
        body: {},
      });
      expect(missing.status).toBe(400);
    });

    it('charges an image job exactly its quote under the staff-set rule, per image and resolution', async () => {
      const set = await setPrice('image', 'jimeng-4.5', {
        type: 'table',
        table: { '1K': 2, '2K': 4, '4K': 8 },
      });
      expect(set.status).toBe(200);
      expect(set.body.data).toMatchObject({
        kind: 'image',
        model_id: 'jimeng-4.5',
        price_source: 'custom',
        price_updated_by: adminId,
        price_updated_by_name: 'admin',
      });
      const gemini = await setPrice('image', 'gemini-2.5-flash-image', { type: 'flat', credits: 11 });
      expect(gemini.status).toBe(200);

      const { headers, userId } = await member(system, `price-buyer-${db}`);
      await grant(system, userId, 1000);
      const cases = [
        { request: { image_resolution: '4K', batch_size: 3 }, credits: 24 },
        { request: { image_resolution: '1k', batch_size: 1 }, credits: 2 },
        // Other Jimeng versions are priced like the default Jimeng model.
        { request: { model_uuid: 'jimeng-4.0', image_resolution: '2K', batch_size: 2 }, credits: 8 },
        {
          request: { model_uuid: 'gemini-2.5-flash-image', image_resolution: '4K', batch_size: 2 },
          credits: 22,
        },
        // Not priced by staff: ANIME_IMAGE_CREDITS_PER_IMAGE per image.
        { request: { model_uuid: 'gemini-3-pro-image-preview', batch_size: 2 }, credits: 10 },
      ];
      let spent = 0;
      for (const { request, credits } of cases) {
        const quote = await api(system.baseUrl, 'POST', '/api/anime-generation/quote', {
          headers,
          body: request,
        });
        expect(quote.status).toBe(200);
        expect(quote.body.data.estimated_credits, JSON.stringify(request)).toBe(credits);
        expect(quote.body.data.explain).toContain(`= ${credits} MC`);
        const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
          headers,
          body: { prompt: 'priced fox', ...request },
        });
        expect(created.status).toBe(200);
        const taskId = created.body.data.generation_uuid as string;
        const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
        expect(status.body.credits_used).toBe(credits);
        const charge = (await balanceOf(system, headers)).ledger.find(
          (entry) => entry.task_id === taskId && entry.kind === 'charge',
        );
        expect(charge?.amount).toBe(-credits);
        spent += credits;
        // Cancelled right away (refunded) so the member stays under the in-flight limit.
        await system.core.engine.cancel([taskId]);
        await system.core.anime.credits.refundTask(taskId);
      }
      expect(spent).toBe(66);
      expect((await balanceOf(system, headers)).balance).toBe(1000);
      const badQuote = await api(system.baseUrl, 'POST', '/api/anime-generation/quote', {
        headers,
        body: { model_uuid: 'no-such-model' },
      });
      expect(badQuote.status).toBe(400);
      expect(badQuote.body.error.code).toBe('MODEL_NOT_FOUND');
    });

    it('edits video prices, restores the documented default, and audits every change', async () => {
      const { headers } = await member(system, `price-video-${db}`);
      const quote = async () =>
        (
          await api(system.baseUrl, 'POST', '/api/anime-video/quote', {
            headers,
            body: { model_id: 'wan/2.5', resolution: '1080p', duration_seconds: 10 },
          })
        ).body.estimated_credits as number;
      expect(await quote()).toBe(1000);
      const rule = { type: 'table', table: { '720p:*': 250, '1080p:5': 450, '1080p:10': 900 } };
      expect((await setPrice('video', 'wan/2.5', rule)).status).toBe(200);
      expect(await quote()).toBe(900);
      const models = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/models', {
        token: system.admin.token,
      });
      const wan = models.body.data.video.find((model: { model_id: string }) => model.model_id === 'wan/2.5');
      expect(wan).toMatchObject({ price: rule, price_source: 'custom', price_updated_by: adminId });

      const reset = await setPrice('video', 'wan/2.5', null);
      expect(reset.status).toBe(200);
      expect(reset.body.data).toMatchObject({
        price_source: 'default',
        price: { type: 'table', table: { '720p:5': 300, '720p:10': 600, '1080p:5': 500, '1080p:10': 1000 } },
      });
      expect(await quote()).toBe(1000);

      const audit = await api(system.baseUrl, 'GET', '/api/anime-generation/admin/price-changes?limit=2', {
        token: system.admin.token,
      });
      expect(audit.status).toBe(200);
      expect(audit.body.data).toHaveLength(2);
      expect(audit.body.data[0]).toMatchObject({
        kind: 'video',
        model_id: 'wan/2.5',
        old_price: rule,
        new_price: null,
        changed_by: adminId,
        changed_by_name: 'admin',
      });
      expect(audit.body.data[1]).toMatchObject({ old_price: null, new_price: rule, changed_by: adminId });
    });
  });
}
