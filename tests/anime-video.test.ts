import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signKieCallback } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { balanceOf, grant, member, waitForEnd } from './support/anime.js';

const WAN = { model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5, aspect_ratio: '16:9' };

/** Contract 001 end to end: quote, validation, create (charged), kie by callback or polling, refunds. */
for (const db of ['sqlite', 'mariadb'] as const) {
  describe(`anime video (contract 001, ${db})`, () => {
    let system: RunningSystem;

    beforeAll(async () => {
      system = await startSystem({
        db,
        env: { KIE_POLL_INITIAL_MS: '150', KIE_POLL_MAX_MS: '400' },
      });
    });
    afterAll(async () => {
      await system?.stop();
    });

    const quote = async (headers: Record<string, string>, body: Record<string, unknown>) =>
      api(system.baseUrl, 'POST', '/api/anime-video/quote', { headers, body });

    it('quotes the documented prices with an explain string', async () => {
      const { headers } = await member(system, 'quote-1');
      const cases: Array<[Record<string, unknown>, number]> = [
        [{ model_id: 'wan/2.5', resolution: '720p', duration_seconds: 5 }, 300],
        [{ model_id: 'wan/2.5', resolution: '720p', duration_seconds: 10 }, 600],
        [{ model_id: 'wan/2.5', resolution: '1080p', duration_seconds: 5 }, 500],
        [{ model_id: 'wan/2.5', resolution: '1080p', duration_seconds: 10 }, 1000],
        [{ model_id: 'kling/video-v2.5', duration_seconds: 5 }, 210],
        [{ model_id: 'kling-3.0/video', mode: 'std' }, 1050],
        [{ model_id: 'kling-3.0/video', mode: 'pro' }, 2100],
        [{ model_id: 'sora-2', duration_seconds: 10 }, 30],
        [{ model_id: 'sora-2', duration_seconds: 15 }, 40],
        [{ model_id: 'sora-2-pro', mode: 'std', duration_seconds: 10 }, 180],
        [{ model_id: 'sora-2-pro', mode: 'pro', duration_seconds: 15 }, 800],
      ];
      for (const [body, credits] of cases) {
        const answer = await quote(headers, body);
        expect(answer.status, JSON.stringify(body)).toBe(200);
        expect(answer.body.estimated_credits, JSON.stringify(body)).toBe(credits);
        expect(answer.body.explain).toContain(`${credits} MC`);
      }
      // Kling 2.5 at 10 s is twice contract 001's 210 MC base, and the quote says why.
      const kling10 = await quote(headers, { model_id: 'kling/video-v2.5', duration_seconds: 10 });
      expect(kling10.body.estimated_credits).toBe(420);
      expect(kling10.body.explain).toContain('420 MC');
      expect(kling10.body.explain).toContain('10 s = 2 × 210 MC');
      const sora2 = [30, 40];
      const soraPro = [180, 270, 400, 800];
      expect(sora2.every((credits) => credits >= 30 && credits <= 40)).toBe(true);
      expect(soraPro.every((credits) => credits >= 180 && credits <= 800)).toBe(true);
    });

    it('rejects Kling 3.0 rule violations and other invalid requests with 400', async () => {
      const { headers } = await member(system, 'quote-2');
      const image = (n: number) => `https://example.com/frame-${n}.png`;
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ model_id: 'kling-3.0/video', reference_image_urls: [image(1), image(2), image(3)] }, 'at most 2'],
        [{ model_id: 'kling-3.0/video', multi_shots: true }, 'multi_shots'],
        [
          { model_id: 'kling-3.0/video', multi_shots: true, reference_image_urls: [image(1), image(2)] },
          'multi_shots',
        ],
        [{ model_id: 'kling-3.0/video', mode: 'ultra' }, 'mode'],
        [{ model_id: 'kling-3.0/video', aspect_ratio: '4:3' }, 'aspect_ratio'],
        [{ model_id: 'wan/2.5', duration_seconds: 7 }, 'duration_seconds'],
        [{ model_id: 'wan/2.5', resolution: '4k' }, 'resolution'],
        [{ model_id: 'sora-2', multi_shots: true, reference_image_urls: [image(1)] }, 'multi_shots'],
        [{ model_id: 'wan/2.5', reference_image_urls: ['file:///etc/passwd'] }, 'http'],
        [{ model_id: 'wan/2.5', task_subtype: 'image_to_video' }, 'image'],
      ];
      for (const [body, words] of bad) {
        const answer = await quote(headers, body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.success).toBe(false);
        expect(answer.body.error.code).toBe('VALIDATION_ERROR');
        expect(answer.body.error.message).toContain(words);
      }
      const unknown = await quote(headers, { model_id: 'veo-9' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.code).toBe('MODEL_NOT_FOUND');
      // The allowed shapes: multi-shot with exactly one first frame; first and last frame without it.
      expect(
        (
          await quote(headers, {
            model_id: 'kling-3.0/video',
            multi_shots: true,
            reference_image_urls: [image(1)],
          })
        ).status,
      ).toBe(200);
      expect(
        (await quote(headers, { model_id: 'kling-3.0/video', reference_image_urls: [image(1), image(2)] }))
          .status,
      ).toBe(200);
      expect((await quote(headers, { model_id: 'kling-3.0/video' })).status).toBe(200);
      const anonymous = await api(system.baseUrl, 'POST', '/api/anime-video/quote', { body: WAN });
      expect(anonymous.status).toBe(401);
    });

    it('refuses a generation the balance cannot pay for, creating nothing', async () => {
      const { headers, userId } = await member(system, 'poor-1');
      const before = await system.core.models.GenerationTask.count({ where: { user_id: userId } });
      const answer = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'a fox in snow' },
      });
      expect(answer.status).toBe(402);
      expect(answer.body.error.code).toBe('INSUFFICIENT_CREDITS');
      expect(await system.core.models.GenerationTask.count({ where: { user_id: userId } })).toBe(before);
    });

    it('creates a video, charges the quote, and completes through the kie callback', async () => {
      const { headers, userId } = await member(system, 'rich-1');
      expect((await grant(system, userId, 1000)).status).toBe(200);
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'a fox running through snow' },
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        success: true,
        data: { status: 'processing', credits_cost: 300, message: 'Generation task created successfully' },
      });
      expect(typeof created.body.data.estimated_time).toBe('number');
      const taskId = created.body.data.generation_uuid as string;
      expect((await balanceOf(system, headers)).balance).toBe(700);
      const done = await waitForEnd(system, taskId, headers);
      expect(done).toMatchObject({
        uuid: taskId,
        status: 'completed',
        error_message: null,
        credits_used: 300,
      });
      expect(done.results).toHaveLength(1);
      expect(done.results[0].mime).toBe('video/mp4');
      const file = await fetch(done.results[0].image_url);
      expect(file.status).toBe(200);
      // The sandbox counts a delivery when our answer to its callback reaches it, which can be
      // just after the task shows completed.
      await expect.poll(() => system.sandbox.state.stats().kieCallbacks.delivered).toBeGreaterThanOrEqual(1);
      const upstream = await system.core.anime.models.ProviderJob.findByPk(taskId);
      expect(upstream?.state).toBe('done');
      expect((await balanceOf(system, headers)).balance).toBe(700);
    });

    it('completes by polling when kie never calls back', async () => {
      const { headers, userId } = await member(system, 'rich-2');
      await grant(system, userId, 300);
      system.sandbox.state.injectFault({ provider: 'kie', kind: 'no-callback' });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'rain on a window' },
      });
      expect(created.status).toBe(200);
      const done = await waitForEnd(system, created.body.data.generation_uuid, headers);
      expect(done.status).toBe('completed');
      expect(done.credits_used).toBe(300);
      expect(system.sandbox.state.stats().kieCallbacks.suppressed).toBeGreaterThanOrEqual(1);
    });

    it('refunds a failed generation exactly once although the poll and the webhook both report it', async () => {
      const { headers, userId } = await member(system, 'fail-1');
      await grant(system, userId, 1050);
      system.sandbox.state.injectFault({ provider: 'kie', kind: 'task-fail' });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { model_id: 'kling-3.0/video', mode: 'std', prompt: 'a failing dragon' },
      });
      expect(created.status).toBe(200);
      const taskId = created.body.data.generation_uuid as string;
      const done = await waitForEnd(system, taskId, headers);
      expect(done.status).toBe('failed');
      expect(done.error_message).toBeTruthy();
      // The refund follows the failure (a finished-task listener): credits_used drops to 0 right after.
      await expect
        .poll(
          async () =>
            (await api(system.baseUrl, 'GET', `/api/generation/status/${taskId}`, { headers })).body
              .credits_used,
        )
        .toBe(0);
      // Report the failure again, as kie's callback and our own check both might.
      const upstream = await system.core.anime.models.ProviderJob.findByPk(taskId);
      const again = await api(system.baseUrl, 'POST', '/api/generation/webhook?provider=kie', {
        body: {
          code: 501,
          msg: 'failed',
          data: { taskId: upstream!.upstream_id, state: 'fail', failMsg: 'again' },
        },
      });
      expect(again.status).toBe(200);
      await system.core.engine.poll(taskId);
      expect(await system.core.anime.credits.refundTask(taskId)).toBe(false);
      const view = await balanceOf(system, headers);
      expect(view.balance).toBe(1050);
      expect(
        view.ledger
          .filter((entry) => entry.task_id === taskId)
          .map((entry) => entry.kind)
          .sort(),
      ).toEqual(['charge', 'refund']);
    });

    it('fails and refunds when kie refuses the task (402 out of credits)', async () => {
      const { headers, userId } = await member(system, 'fail-2');
      await grant(system, userId, 210);
      system.sandbox.state.injectFault({ provider: 'kie', code: 402 });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { model_id: 'kling/video-v2.5', prompt: 'a tired kie account' },
      });
      const done = await waitForEnd(system, created.body.data.generation_uuid, headers);
      expect(done.status).toBe('failed');
      // Members read the class in English (contract 001: "Errors: 统一英文"), never kie's text.
      expect(done).toMatchObject({
        error_code: 'PROVIDER_QUOTA_EXHAUSTED',
        error_message: 'The provider has no quota left right now; try again later',
      });
      await expect.poll(async () => (await balanceOf(system, headers)).balance).toBe(210);
    });

    it('cancels a video kie is still working on: refunded once, and kie finishing later changes nothing', async () => {
      const { headers, userId } = await member(system, 'cancel-1');
      await grant(system, userId, 300);
      system.sandbox.state.injectFault({ provider: 'kie', kind: 'slow', delayMs: 3000 });
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'a slow sunset' },
      });
      const taskId = created.body.data.generation_uuid as string;
      const deadline = Date.now() + 5000;
      while (!(await system.core.anime.models.ProviderJob.findByPk(taskId))) {
        if (Date.now() > deadline) throw new Error('upstream task never created');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await system.core.engine.cancel([taskId])).toEqual([taskId]);
      const cancelled = await waitForEnd(system, taskId, headers);
      expect(cancelled.status).toBe('failed');
      expect((await balanceOf(system, headers)).balance).toBe(300);
      // kie finishes (callback and polls) after the cancel: the task stays cancelled, no output, no charge.
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const task = await system.core.models.GenerationTask.findByPk(taskId);
      expect(task!.status).toBe('cancelled');
      expect(await system.core.models.MediaAsset.count({ where: { task_id: taskId } })).toBe(0);
      // The engine's own cancel abandons the upstream task too (its polls stop).
      expect(await system.core.anime.models.ProviderJob.findByPk(taskId)).toMatchObject({
        state: 'cancelled',
      });
      const view = await balanceOf(system, headers);
      expect(view.balance).toBe(300);
      expect(view.ledger.filter((entry) => entry.kind === 'refund')).toHaveLength(1);
    });

    it('creates the upstream task once even when the job is delivered again', async () => {
      const { headers, userId } = await member(system, 'redeliver-1');
      await grant(system, userId, 300);
      const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'delivered twice' },
      });
      const taskId = created.body.data.generation_uuid as string;
      await waitForEnd(system, taskId, headers);
      const before = system.sandbox.state.callCount('kie', undefined, 'createTask');
      // The job delivered again: the engine finds the task ended (and its upstream task recorded).
      await system.core.engine.run(taskId, new AbortController().signal);
      expect(system.sandbox.state.callCount('kie', undefined, 'createTask')).toBe(before);
    });

    it('ignores webhooks for unknown tasks', async () => {
      const answer = await api(system.baseUrl, 'POST', '/api/generation/webhook', {
        body: {
          code: 200,
          msg: 'ok',
          data: { taskId: 'no-such-task', state: 'success', resultJson: '{"resultUrls":[]}' },
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ success: true, data: { received: true, known: false, finished: false } });
    });

    it('keeps private videos for Pro members', async () => {
      const { headers, userId } = await member(system, 'private-1');
      await grant(system, userId, 300);
      const answer = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
        headers,
        body: { ...WAN, prompt: 'secret', visibility_level: 'private' },
      });
      expect(answer.status).toBe(403);
      expect((await balanceOf(system, headers)).balance).toBe(300);
    });
  });
}

describe('kie webhook signatures', () => {
  let system: RunningSystem;
  const key = 'kie-webhook-test-key';

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      env: { KIE_WEBHOOK_KEY: key, KIE_POLL_INITIAL_MS: '5000', KIE_POLL_MAX_MS: '5000' },
    });
    system.sandbox.state.updateSettings({ kieWebhookKey: key });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('accepts the signed kie callback and refuses unsigned or badly signed ones', async () => {
    const { headers, userId } = await member(system, 'signed-1');
    await grant(system, userId, 300);
    const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers,
      body: { ...WAN, prompt: 'signed and sealed' },
    });
    // Polls start after 5 s: completing sooner proves the signed callback was accepted.
    const done = await waitForEnd(system, created.body.data.generation_uuid, headers, 4000);
    expect(done.status).toBe('completed');

    const body = { code: 200, data: { taskId: 'whatever', state: 'success' } };
    const unsigned = await api(system.baseUrl, 'POST', '/api/generation/webhook', { body });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('INVALID_SIGNATURE');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forged = await api(system.baseUrl, 'POST', '/api/generation/webhook', {
      body,
      headers: {
        'x-webhook-timestamp': timestamp,
        'x-webhook-signature': signKieCallback('another-key', 'whatever', timestamp),
      },
    });
    expect(forged.status).toBe(401);
    const good = await api(system.baseUrl, 'POST', '/api/generation/webhook', {
      body,
      headers: {
        'x-webhook-timestamp': timestamp,
        'x-webhook-signature': signKieCallback(key, 'whatever', timestamp),
      },
    });
    expect(good.status).toBe(200);
    expect(good.body.data.known).toBe(false);
  });

  it('refunds once when polls and signed webhooks report the same failure at the same moment', async () => {
    const { headers, userId } = await member(system, 'race-1');
    await grant(system, userId, 2100);
    // The sandbox signs with a wrong key, so its own callback is refused and nothing ends the task
    // until the reports below arrive together (polls only start after 5 s).
    system.sandbox.state.updateSettings({ kieWebhookKey: 'not-the-configured-key' });
    system.sandbox.state.injectFault({ provider: 'kie', kind: 'task-fail' });
    const created = await api(system.baseUrl, 'POST', '/api/anime-video/create-task', {
      headers,
      body: { model_id: 'kling-3.0/video', mode: 'pro', prompt: 'a race' },
    });
    const taskId = created.body.data.generation_uuid as string;
    let upstreamId = '';
    await expect
      .poll(async () => {
        const job = await system.core.anime.models.ProviderJob.findByPk(taskId);
        upstreamId = job?.upstream_id ?? '';
        return upstreamId
          ? (await system.core.anime.kie.recordInfo('sandbox-kie-key', upstreamId)).state
          : '';
      })
      .toBe('fail');
    expect((await system.core.models.GenerationTask.findByPk(taskId))!.status).toBe('processing');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const webhook = () =>
      api(system.baseUrl, 'POST', '/api/generation/webhook', {
        body: { code: 501, msg: 'failed', data: { taskId: upstreamId, state: 'fail', failMsg: 'boom' } },
        headers: {
          'x-webhook-timestamp': timestamp,
          'x-webhook-signature': signKieCallback(key, upstreamId, timestamp),
        },
      });
    const results = await Promise.all([
      webhook(),
      system.core.engine.poll(taskId),
      webhook(),
      system.core.engine.poll(taskId),
    ]);
    expect(results[0]!.status).toBe(200);
    expect(results[2]!.status).toBe(200);
    expect(
      [results[0]!.body.data.finished, results[2]!.body.data.finished].filter(Boolean).length,
    ).toBeLessThanOrEqual(1);
    const done = await waitForEnd(system, taskId, headers);
    expect(done.status).toBe('failed');
    await expect.poll(async () => (await balanceOf(system, headers)).balance).toBe(2100);
    const view = await balanceOf(system, headers);
    expect(view.ledger.filter((entry) => entry.task_id === taskId && entry.kind === 'refund')).toHaveLength(
      1,
    );
  });
});
