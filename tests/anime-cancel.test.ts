import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signKieCallback } from '@dreamloom/core';
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

/**
 * kie.ai has no cancel endpoint: a cancelled video's upstream task runs on. The cancel must still
 * be final — no more status checks, and neither kie's own late callback nor a forged-late signed
 * success (trusted as is, since a webhook key is set) may store output, flip the status or refund twice.
 */
for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`cancelled kie videos stay cancelled (${db})`, () => {
    let system: RunningSystem;
    const key = 'kie-cancel-webhook-key';

    beforeAll(async () => {
      system = await startSystem({
        db,
        env: { KIE_WEBHOOK_KEY: key, KIE_POLL_INITIAL_MS: '100', KIE_POLL_MAX_MS: '200' },
      });
      system.sandbox.state.updateSettings({ kieWebhookKey: key });
    });
    afterAll(async () => {
      await system?.stop();
    });

    const recordInfoCalls = () => system.sandbox.state.callCount('kie', undefined, 'recordInfo');

    it('stops polling, ignores the late result and refunds once, recording the reason', async () => {
      const { headers, userId } = await member(system, `kie-cancel-${db}`);
      await grant(system, userId, 300);
      system.sandbox.state.injectFault({ provider: 'kie', kind: 'slow', delayMs: 2500 });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: 'a slow tide' },
      });
      expect(created.status).toBe(200);
      const taskId = created.body.data.generation_uuid as string;
      // Wait until the poller is really at work on the upstream task.
      await expect.poll(recordInfoCalls, { timeout: 5000 }).toBeGreaterThan(1);

      const cancelled = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
      expect(cancelled.status).toBe(200);
      const callsAtCancel = recordInfoCalls();
      const job = await system.core.anime.models.ProviderJob.findByPk(taskId);
      expect(job).toMatchObject({ state: 'cancelled', cancel_reason: 'Cancelled by the member' });
      expect(job!.cancelled_at).toBeInstanceOf(Date);
      const task = await system.core.models.GenerationTask.findByPk(taskId);
      expect(task).toMatchObject({
        status: 'cancelled',
        error_code: 'CANCELLED',
        error_message: 'Cancelled by the member',
      });

      // kie finishes (its signed callback arrives) and any poll still queued runs: nothing moves.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const late = await api(system.baseUrl, 'POST', '/api/generation/webhook?provider=kie', {
        body: {
          code: 200,
          msg: 'success',
          data: {
            taskId: job!.upstream_id,
            state: 'success',
            resultJson: JSON.stringify({ resultUrls: [`${system.sandbox.url}/kie/files/late.mp4`] }),
          },
        },
        headers: {
          'x-webhook-timestamp': timestamp,
          'x-webhook-signature': signKieCallback(key, job!.upstream_id, timestamp),
        },
      });
      expect(late.status).toBe(200);
      expect(late.body.data).toMatchObject({ known: true, finished: false });
      await system.core.engine.poll(taskId);

      expect(recordInfoCalls()).toBe(callsAtCancel);
      const after = await system.core.models.GenerationTask.findByPk(taskId);
      expect(after).toMatchObject({ status: 'cancelled', completed_count: 0 });
      expect(await system.core.models.MediaAsset.count({ where: { task_id: taskId } })).toBe(0);
      expect((await system.core.anime.models.ProviderJob.findByPk(taskId))!.state).toBe('cancelled');
      const view = await balanceOf(system, headers);
      expect(view.balance).toBe(300);
      expect(
        view.ledger
          .filter((entry) => entry.task_id === taskId)
          .map((entry) => entry.kind)
          .sort(),
      ).toEqual(['charge', 'refund']);
      const status = await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers });
      expect(status.body).toMatchObject({ status: 'failed', results: [], credits_used: 0 });
    });

    it('refuses a cancel while the result is being stored, but takes over a crashed finisher’s claim', async () => {
      const { headers, userId } = await member(system, `kie-finishing-${db}`);
      await grant(system, userId, 300);
      system.sandbox.state.injectFault({ provider: 'kie', kind: 'slow', delayMs: 5000 });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, prompt: 'a busy harbour' },
      });
      const taskId = created.body.data.generation_uuid as string;
      const { ProviderJob } = system.core.anime.models;
      await expect
        .poll(async () => (await ProviderJob.findByPk(taskId))?.state, { timeout: 5000 })
        .toBe('running');
      // A poll or callback is storing kie's result right now.
      await ProviderJob.update(
        { state: 'finishing', updated_at: new Date() },
        { where: { task_id: taskId } },
      );
      const busy = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
      expect(busy.status).toBe(409);
      expect(busy.body.error).toEqual({
        code: 'NOT_CANCELLABLE',
        message: 'The video is already being delivered and can no longer be cancelled',
      });
      expect((await system.core.models.GenerationTask.findByPk(taskId))!.status).toBe('processing');
      // The process holding that claim died ten minutes ago: the cancel takes the task over.
      await ProviderJob.update(
        { updated_at: new Date(Date.now() - 10 * 60_000) },
        { where: { task_id: taskId }, silent: true },
      );
      const taken = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
      expect(taken.status).toBe(200);
      expect(await ProviderJob.findByPk(taskId)).toMatchObject({ state: 'cancelled' });
      expect((await system.core.models.GenerationTask.findByPk(taskId))!.status).toBe('cancelled');
      await expect.poll(async () => (await balanceOf(system, headers)).balance).toBe(300);
    });

    it('cancels a video while kie is still creating its task: the mark wins, whatever kie answers', async () => {
      const { headers, userId } = await member(system, `kie-creating-${db}`);
      await grant(system, userId, 300);
      system.sandbox.state.setLatency(1500);
      try {
        const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
          headers,
          body: {
            model_id: 'wan/2.5',
            resolution: '720p',
            duration_seconds: 5,
            prompt: 'a hasty change of mind',
          },
        });
        const taskId = created.body.data.generation_uuid as string;
        const cancelled = await api(system.baseUrl, 'POST', `/api/generation/cancel/${taskId}`, { headers });
        expect(cancelled.status).toBe(200);
        await expect
          .poll(async () => (await system.core.models.GenerationTask.findByPk(taskId))?.status, {
            timeout: 5000,
          })
          .toBe('cancelled');
        // Past kie's latency: had the upstream task been created, its id now sits beside the mark.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const task = await system.core.models.GenerationTask.findByPk(taskId);
        expect(task).toMatchObject({ status: 'cancelled', error_message: 'Cancelled by the member' });
        expect(await system.core.anime.models.ProviderJob.findByPk(taskId)).toMatchObject({
          state: 'cancelled',
          cancel_reason: 'Cancelled by the member',
        });
        expect(await system.core.models.MediaAsset.count({ where: { task_id: taskId } })).toBe(0);
        const view = await balanceOf(system, headers);
        expect(view.balance).toBe(300);
        expect(
          view.ledger.filter((entry) => entry.task_id === taskId && entry.kind === 'refund'),
        ).toHaveLength(1);
      } finally {
        system.sandbox.state.setLatency(30);
      }
    });

    it('cancels a video whose upstream task was recorded between the cancel’s claim and its read', async () => {
      const { userId } = await member(system, `kie-race-${db}`);
      await grant(system, userId, 300);
      const taskId = await createKieVideoRow(system, userId, 'a narrow window', 'processing');
      const { ProviderJob } = system.core.anime.models;
      const update = ProviderJob.update.bind(ProviderJob);
      // The runner's insert lands right after the cancel's conditional claim found nothing to claim.
      const spy = vi.spyOn(ProviderJob, 'update').mockImplementationOnce(async (...args) => {
        const result = await update(...(args as Parameters<typeof update>));
        await ProviderJob.create({
          task_id: taskId,
          provider: 'kie',
          upstream_id: `race-${taskId}`,
          created_at: new Date(),
          updated_at: new Date(),
        });
        return result;
      });
      try {
        expect(await system.core.engine.cancelUpstream(taskId, 'Cancelled by the member')).toBe('cancelled');
      } finally {
        spy.mockRestore();
      }
      expect(await ProviderJob.findByPk(taskId)).toMatchObject({
        state: 'cancelled',
        upstream_id: `race-${taskId}`,
      });
      expect((await system.core.models.GenerationTask.findByPk(taskId))!.status).toBe('cancelled');
      // A second cancel of the same mark keeps the first one's outcome instead of saying "finished".
      expect(await system.core.engine.cancelUpstream(taskId, 'again')).toBe('cancelled');
    });

    it('never creates the upstream task of a video cancelled while still queued', async () => {
      const { userId } = await member(system, `kie-queued-${db}`);
      await grant(system, userId, 300);
      // The engine's view of a task whose cancel mark arrived before it ran (the queue lost the cancel).
      const taskId = await createKieVideoRow(system, userId, 'never made', 'pending');
      expect(await system.core.engine.cancelUpstream(taskId, 'Cancelled by the member')).toBe('pending');
      const creates = system.sandbox.state.callCount('kie', undefined, 'createTask');
      await system.core.engine.run(taskId, new AbortController().signal);
      expect(system.sandbox.state.callCount('kie', undefined, 'createTask')).toBe(creates);
      expect(await system.core.models.GenerationTask.findByPk(taskId)).toMatchObject({
        status: 'cancelled',
        error_message: 'Cancelled by the member',
      });
    });
  });
}

/** A kie video task row as the create-task route stores it, without queueing it (the engine is driven by hand). */
async function createKieVideoRow(system: RunningSystem, userId: string, prompt: string, status: string) {
  const taskId = system.core.ids.uuid();
  await system.core.models.GenerationTask.create({
    id: taskId,
    user_id: userId,
    source: 'anime-video',
    kind: 'video',
    provider: 'kie',
    model: 'wan/2-5-text-to-video',
    prompt,
    params: JSON.stringify({ ratio: '16:9', resolution: '720p', duration: 5, request: {} }),
    requested_count: 1,
    status,
    created_at: new Date(),
    updated_at: new Date(),
  });
  return taskId;
}
