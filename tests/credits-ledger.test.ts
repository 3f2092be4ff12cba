import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { balanceOf, grant, member } from './support/anime.js';

for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`credits ledger (${db})`, () => {
    let system: RunningSystem;

    beforeAll(async () => {
      // No worker: the tasks stay queued, which is all the charge needs.
      // No in-flight limit here: this file is about the balance (anime-limits.test.ts covers the limit).
      system = await startSystem({
        db,
        worker: false,
        env: { ANIME_IMAGE_CREDITS_PER_IMAGE: '5', ANIME_MAX_JOBS_IN_FLIGHT: '0' },
      });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('lets exactly 10 of 50 concurrent create-task requests through a balance for 10', async () => {
      const { headers, userId } = await member(system, `concurrent-${db}`);
      expect((await grant(system, userId, 3000)).status).toBe(200);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
            headers,
            body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: `race ${index}` },
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(10);
      expect(statuses.filter((status) => status === 402)).toHaveLength(40);
      for (const refused of answers.filter((answer) => answer.status === 402)) {
        expect(refused.body.error.code).toBe('INSUFFICIENT_CREDITS');
      }
      const view = await balanceOf(system, headers);
      expect(view.balance).toBe(0);
      expect(view.ledger.filter((entry) => entry.kind === 'charge')).toHaveLength(10);
      expect(view.ledger.reduce((sum, entry) => sum + entry.amount, 0)).toBe(0);
      expect(await system.core.models.GenerationTask.count({ where: { user_id: userId } })).toBe(10);
    });

    it('grants only through staff, once per idempotency key, and refunds a cancelled task once', async () => {
      const { headers, userId } = await member(system, `grant-${db}`);
      const forbidden = await api(system.baseUrl, 'POST', '/api/generation/credits/grant', {
        headers,
        body: { user_id: userId, amount: 1000 },
      });
      expect(forbidden.status).toBe(403);
      const first = await grant(system, userId, 500, `retry-${db}`);
      const second = await grant(system, userId, 500, `retry-${db}`);
      expect(first.status).toBe(200);
      expect(second.body.data.entry.id).toBe(first.body.data.entry.id);
      expect((await balanceOf(system, headers)).balance).toBe(500);
      const unknownUser = await api(system.baseUrl, 'POST', '/api/generation/credits/grant', {
        token: system.admin.token,
        body: { user_id: 'no-such-user', amount: 5 },
      });
      expect(unknownUser.status).toBe(404);

      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { model_id: 'kling/video-v2.5', duration_seconds: 5, prompt: 'to be cancelled' },
      });
      expect(created.status).toBe(200);
      const taskId = created.body.data.generation_uuid as string;
      expect((await balanceOf(system, headers)).balance).toBe(290);
      await system.core.engine.cancel([taskId]);
      await Promise.all([
        system.core.anime.credits.refundTask(taskId),
        system.core.anime.credits.refundTask(taskId),
      ]);
      const view = await balanceOf(system, headers);
      expect(view.balance).toBe(500);
      expect(view.ledger.filter((entry) => entry.task_id === taskId && entry.kind === 'refund')).toHaveLength(
        1,
      );
      const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
      expect(status.body.credits_used).toBe(0);
      // Members see only their own ledger.
      const other = await api(system.baseUrl, 'GET', `/api/generation/credits?user_id=${userId}`, {
        headers: (await member(system, `nosy-${db}`)).headers,
      });
      expect(other.status).toBe(404);
    });

    it('charges images per image when a price is configured, refusing what the balance cannot pay', async () => {
      const { headers, userId } = await member(system, `images-${db}`);
      await grant(system, userId, 10);
      const paid = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers,
        body: { gen_type: 'anime', prompt: 'two cats', batch_size: 2 },
      });
      expect(paid.status).toBe(200);
      const taskId = paid.body.data.generation_uuid as string;
      expect((await balanceOf(system, headers)).balance).toBe(0);
      const refused = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers,
        body: { gen_type: 'anime', prompt: 'one more cat' },
      });
      expect(refused.status).toBe(402);
      expect(refused.body.error.code).toBe('INSUFFICIENT_CREDITS');
      const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
      expect(status.body.credits_used).toBe(10);
      await system.core.engine.cancel([taskId]);
      expect((await balanceOf(system, headers)).balance).toBe(10);
    });
  });
}
