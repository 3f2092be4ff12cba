import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/clients.js';
import { balanceOf, grant, member, waitForEnd } from './support/anime.js';
import { startSystem, type RunningSystem } from './support/system.js';

/** `POST /api/generation/cancel/:uuid`: a member cancels their own unfinished generation and gets the charge back. */
describe('generation cancel', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function createVideo(headers: Record<string, string>) {
    const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers,
      body: { prompt: 'rain on a tin roof', model_id: 'kling/video-v2.5', duration_seconds: 5 },
    });
    expect(created.status).toBe(200);
    return created.body.data.generation_uuid as string;
  }

  it('cancels an unfinished generation, which ends failed and is refunded once', async () => {
    system.sandbox.state.setLatency(2000);
    try {
      const { headers, userId } = await member(system, 'cancel-owner');
      await grant(system, userId, 500);
      const taskId = await createVideo(headers);
      expect((await balanceOf(system, headers)).balance).toBe(500 - 210);

      const cancelled = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toEqual({ success: true, data: { generation_uuid: taskId, cancelled: true } });

      const end = await waitForEnd(system, taskId, headers);
      expect(end.status).toBe('failed');
      // The refund comes from the credits listener once the task has ended.
      const deadline = Date.now() + 5000;
      let view = await balanceOf(system, headers);
      while (view.balance !== 500 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await balanceOf(system, headers);
      }
      expect(view.balance).toBe(500);
      expect(view.ledger.filter((e) => e.task_id === taskId && e.kind === 'refund')).toHaveLength(1);

      // Ended now: a second cancel is refused.
      const again = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('NOT_CANCELLABLE');
    } finally {
      system.sandbox.state.setLatency(30);
    }
  });

  it("answers 404 for someone else's generation and for unknown ids, 400 for a malformed id", async () => {
    system.sandbox.state.setLatency(2000);
    try {
      const owner = await member(system, 'cancel-a');
      await grant(system, owner.userId, 500);
      const taskId = await createVideo(owner.headers);
      const other = await member(system, 'cancel-b');

      const foreign = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, {
        headers: other.headers,
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('TASK_NOT_FOUND');

      const unknown = await api(
        system.baseUrl,
        'POST',
        '/api/generation/cancel/00000000-0000-4000-8000-000000000000',
        { headers: other.headers },
      );
      expect(unknown.status).toBe(404);

      const malformed = await api(system.baseUrl, 'POST', '/api/generation/cancel/not-a-uuid', {
        headers: other.headers,
      });
      expect(malformed.status).toBe(400);

      const unauthenticated = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`);
      expect(unauthenticated.status).toBe(401);

      // The owner's task kept running.
      expect((await waitForEnd(system, taskId, owner.headers)).status).toBe('completed');
    } finally {
      system.sandbox.state.setLatency(30);
    }
  });
});
