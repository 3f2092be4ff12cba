import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { balanceOf, grant, member } from './support/anime.js';

const image = (index: number) => ({
  path: '/api/anime-generation/create-task',
  body: { gen_type: 'anime', prompt: `limit race ${index}`, batch_size: 2 },
});
const video = (index: number) => ({
  path: '/api/anime-video/create-task',
  body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: `limit race ${index}` },
});

for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`per-member generation limits (${db})`, () => {
    let system: RunningSystem;

    beforeAll(async () => {
      // No worker: created tasks stay pending, i.e. in flight, until the test ends them.
      system = await startSystem({
        db,
        worker: false,
        env: {
          ANIME_MAX_JOBS_IN_FLIGHT: '3',
          ANIME_DAILY_GENERATION_QUOTA: '5',
          ANIME_IMAGE_CREDITS_PER_IMAGE: '5',
        },
      });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('lets exactly 3 of 50 concurrent image and video creates through, charging only those', async () => {
      const { headers, userId } = await member(system, `limit-race-${db}`);
      expect((await grant(system, userId, 100_000)).status).toBe(200);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) => {
          const { path, body } = index % 2 ? video(index) : image(index);
          return api(system.baseUrl, 'POST', path, { headers, body });
        }),
      );
      const accepted = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(accepted).toHaveLength(3);
      expect(refused).toHaveLength(47);
      for (const answer of refused) {
        expect(answer.body).toMatchObject({
          success: false,
          error: { code: 'TOO_MANY_JOBS_IN_FLIGHT' },
        });
        expect(answer.body.error.message).toContain('limit 3');
      }
      const tasks = await system.core.models.GenerationTask.findAll({ where: { user_id: userId } });
      expect(tasks).toHaveLength(3);
      const view = await balanceOf(system, headers);
      const charges = view.ledger.filter((entry) => entry.kind === 'charge');
      expect(charges).toHaveLength(3);
      expect(charges.map((entry) => entry.task_id).sort()).toEqual(tasks.map((task) => task.id).sort());
      const charged = tasks.reduce((sum, task) => sum + Number(task.credits_used), 0);
      expect(view.balance).toBe(100_000 - charged);

      // /balance's source: the jobs in flight and the limit.
      const credits = await api(system.baseUrl, 'GET', '/api/generation/credits?limit=1', { headers });
      expect(credits.body.data.jobs).toEqual({
        running: 0,
        queued: 3,
        limit: 3,
        daily_used: 3,
        daily_quota: 5,
      });

      // A cancelled generation frees its slot (and is not counted toward the daily quota).
      const cancelled = await api(system.baseUrl, 'POST', `/api/generation/cancel/${tasks[0]!.id}`, {
        headers,
      });
      expect(cancelled.status).toBe(200);
      const again = await api(system.baseUrl, 'POST', image(99).path, { headers, body: image(99).body });
      expect(again.status).toBe(200);
    });

    it('stops a member at the daily quota, counting finished generations but not refunded ones', async () => {
      const { headers, userId } = await member(system, `limit-daily-${db}`);
      await grant(system, userId, 1000);
      const create = (index: number) =>
        api(system.baseUrl, 'POST', image(index).path, { headers, body: image(index).body });
      const finishAll = () =>
        system.core.models.GenerationTask.update(
          { status: 'completed' },
          { where: { user_id: userId, status: 'pending' } },
        );
      for (let index = 0; index < 3; index += 1) expect((await create(index)).status).toBe(200);
      await finishAll();
      for (let index = 3; index < 5; index += 1) expect((await create(index)).status).toBe(200);
      await finishAll();
      const refused = await create(5);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('DAILY_QUOTA_EXCEEDED');
      expect(await system.core.models.GenerationTask.count({ where: { user_id: userId } })).toBe(5);
      expect((await balanceOf(system, headers)).ledger.filter((e) => e.kind === 'charge')).toHaveLength(5);
    });

    it('exempts staff from both limits', async () => {
      const token = system.admin.token;
      const self = await api(system.baseUrl, 'GET', '/api/generation/credits', { token });
      await grant(system, self.body.data.user_id as string, 1000);
      for (let index = 0; index < 6; index += 1) {
        const created = await api(system.baseUrl, 'POST', image(index).path, {
          token,
          body: image(index).body,
        });
        expect(created.status).toBe(200);
      }
      const view = await api(system.baseUrl, 'GET', '/api/generation/credits', { token });
      expect(view.body.data.jobs).toMatchObject({ limit: null, daily_quota: null });
      expect(view.body.data.jobs.queued).toBeGreaterThanOrEqual(6);
    });
  });
}
