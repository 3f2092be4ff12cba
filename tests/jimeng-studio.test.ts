import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JimengGatewayClient } from '@dreamloom/core';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { addAccounts, createStaff, storyboards, waitForBatch } from './support/jimeng.js';

/** Contract 003 §6, §7, §9–§12 end to end on both databases: batches, records, statistics, callbacks. */
describe.each(['sqlite', 'mariadb'] as const)(
  'Jimeng studio: batches and records (contract 003) on %s',
  (db) => {
    let system: RunningSystem;
    let token: string;

    beforeAll(async () => {
      system = await startSystem({
        db,
        env: {
          WORKER_CONCURRENCY: '12',
          CALLBACK_SIGNING_SECRET: 'callback-secret-for-tests',
          // The callback receivers below listen on loopback: trusted for this test (outbound policy).
          OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
        },
      });
      token = system.admin.token;
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('runs a text-to-image batch to completion and reports it in every view', async () => {
      const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: {
          project_id: 'p1',
          project_name: 'Rain City',
          work_id: 'work-happy',
          batch_data: [
            ...storyboards(4),
            { storyboard_id: 'sb-wide', prompt: 'wide shot', ratio: '16:9', resolution: '1k' },
          ],
          global_config: { model: 'jimeng-4.5', priority: 3 },
        },
      });
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ code: 200, message: '批量文生图任务已提交' });
      expect(submitted.body.data).toMatchObject({ total_count: 5, skip_count: 0, queue_count: 5 });
      expect(submitted.body.data.estimated_time).toBeGreaterThan(0);
      const batchId = submitted.body.data.batch_id;

      const final = await waitForBatch(system, token, batchId);
      expect(final).toMatchObject({
        batch_id: batchId,
        batch_type: 'image_generate',
        status: 'completed',
        completed_count: 5,
        failed_count: 0,
        progress: 1,
      });
      expect(final.details).toHaveLength(5);
      for (const detail of final.details) {
        expect(detail.status).toBe('completed');
        expect(detail.result_urls.length).toBeGreaterThanOrEqual(1);
        expect(detail.result_urls[0]).toMatch(new RegExp(`^${system.baseUrl}/media/`));
      }

      const list = await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/list?type=image&work_id=work-happy&page=1&size=2',
        { token },
      );
      expect(list.body.data).toMatchObject({ total: 5, page: 1, size: 2 });
      expect(list.body.data.list).toHaveLength(2);
      const wide = (
        await api(
          system.baseUrl,
          'GET',
          '/api/v1/jimeng/records/list?type=image&work_id=work-happy&size=10',
          { token },
        )
      ).body.data.list.find((record: any) => record.storyboard_id === 'sb-wide');
      expect(wide).toMatchObject({
        generation_status: 2,
        ratio: '16:9',
        resolution: '1k',
        model: 'jimeng-4.5',
        project_name: 'Rain City',
      });
      expect([0, 'hk']).toContain(wide.site_used);
      expect(wide.generation_time).toBeGreaterThanOrEqual(0);
      expect(wide.account_name).toMatch(/@dreamloom\.local$/);

      const detail = await api(
        system.baseUrl,
        'GET',
        `/api/v1/jimeng/records/detail?type=image&id=${wide.id}`,
        { token },
      );
      expect(detail.body.data).toMatchObject({
        id: wide.id,
        prompt: 'wide shot',
        input_images: [],
        error_message: null,
      });
      const media = await fetch(detail.body.data.image_urls[0]);
      expect(media.headers.get('content-type')).toBe('image/png');

      const latest = await api(system.baseUrl, 'POST', '/api/v1/jimeng/records/batch', {
        token,
        body: { type: 'image', work_id: 'work-happy', storyboard_ids: ['sb-0001', 'sb-missing'] },
      });
      expect(latest.body.data.records[0]).toMatchObject({
        storyboard_id: 'sb-0001',
        record: { generation_status: 2 },
      });
      expect(latest.body.data.records[1]).toEqual({ storyboard_id: 'sb-missing', record: null });

      const stats = await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/statistics?work_id=work-happy&date_range=today',
        { token },
      );
      expect(stats.body.data).toMatchObject({
        total_tasks: 5,
        completed_tasks: 5,
        failed_tasks: 0,
        pending_tasks: 0,
        success_rate: 1,
      });
      expect(stats.body.data.daily_stats).toHaveLength(1);
      expect(stats.body.data.daily_stats[0]).toMatchObject({
        image_count: 5,
        video_count: 0,
        success_rate: 1,
      });

      const accountStats = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/statistics', { token });
      expect(accountStats.body.data).toMatchObject({
        total_accounts: 3,
        active_accounts: 3,
        image_available_accounts: 3,
      });

      const batches = await api(system.baseUrl, 'GET', '/api/v1/jimeng/batch/list?page=1&size=10', { token });
      expect(batches.body.data.list.find((batch: any) => batch.batch_id === batchId)).toMatchObject({
        status: 'completed',
        completed_count: 5,
      });

      const regenerated = await api(system.baseUrl, 'POST', '/api/v1/jimeng/image/regenerate', {
        token,
        body: { storyboard_id: 'sb-wide', work_id: 'work-happy', prompt: 'wide shot at dawn' },
      });
      expect(regenerated.body.data.record_id).toBe(wide.id);
      const regenDeadline = Date.now() + 20_000;
      let again: any;
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        again = (
          await api(system.baseUrl, 'GET', `/api/v1/jimeng/records/detail?type=image&id=${wide.id}`, {
            token,
          })
        ).body.data;
      } while (again.generation_status !== 2 && Date.now() < regenDeadline);
      expect(again).toMatchObject({
        id: wide.id,
        prompt: 'wide shot at dawn',
        generation_status: 2,
        retry_count: 1,
      });
      expect(again.task_id).toBe(regenerated.body.data.task_id);

      const deleted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/records/delete', {
        token,
        body: { type: 'image', ids: [wide.id] },
      });
      expect(deleted.body.data).toEqual({ success_count: 1 });
      expect(
        (
          await api(system.baseUrl, 'GET', `/api/v1/jimeng/records/detail?type=image&id=${wide.id}`, {
            token,
          })
        ).status,
      ).toBe(404);
    });

    it('rejects invalid batches with 400s in the envelope and writes nothing', async () => {
      const before = await system.core.jimeng.models.JimengBatch.count();
      const cases: Array<[string, unknown, RegExp]> = [
        [
          '/api/v1/jimeng/images/batch-generate',
          { work_id: 'w', batch_data: [] },
          /batch_data must not be empty/,
        ],
        [
          '/api/v1/jimeng/images/batch-generate',
          { work_id: 'w', batch_data: storyboards(101) },
          /at most 100 image items/,
        ],
        [
          '/api/v1/jimeng/videos/batch-generate',
          { work_id: 'w', batch_data: storyboards(51) },
          /at most 50 video items/,
        ],
        [
          '/api/v1/jimeng/images/batch-generate',
          { work_id: 'w', batch_data: [...storyboards(1), ...storyboards(1)] },
          /appears twice/,
        ],
        [
          '/api/v1/jimeng/images/batch-compose',
          { work_id: 'w', batch_data: storyboards(1) },
          /input_images must have 1–10/,
        ],
        [
          '/api/v1/jimeng/images/batch-compose',
          {
            work_id: 'w',
            batch_data: [{ ...storyboards(1)[0], input_images: Array(11).fill('https://example.com/a.png') }],
          },
          /input_images/,
        ],
        [
          '/api/v1/jimeng/videos/batch-compose',
          {
            work_id: 'w',
            batch_data: [{ ...storyboards(1)[0], input_images: Array(3).fill('https://example.com/a.png') }],
          },
          /first frame/,
        ],
        ['/api/v1/jimeng/images/batch-generate', { batch_data: storyboards(1) }, /work_id/],
        [
          '/api/v1/jimeng/images/batch-generate',
          { work_id: 'w', batch_data: storyboards(1), global_config: { callback_url: 'ftp://x' } },
          /callback_url/,
        ],
        [
          '/api/v1/jimeng/images/batch-generate',
          { work_id: 'w', batch_data: [{ storyboard_id: 'a', prompt: 'x', ratio: '5:4' }] },
          /ratio/,
        ],
      ];
      for (const [path, body, message] of cases) {
        const response = await api(system.baseUrl, 'POST', path, { token, body });
        expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(response.body.code).toBe(400);
        expect(response.body.message).toMatch(message);
      }
      expect(await system.core.jimeng.models.JimengBatch.count()).toBe(before);
      const notFound = await api(system.baseUrl, 'GET', '/api/v1/jimeng/batch/999999/status', { token });
      expect(notFound.status).toBe(404);
      expect(notFound.body).toEqual({ code: 404, message: 'Batch not found' });
    });

    it('keeps each staff member to their own accounts, batches and records', async () => {
      const other = await createStaff(system, 'staff-other');
      await addAccounts(system, other, 1, 'other');
      const mine = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token: other,
        body: { work_id: 'work-other', batch_data: storyboards(1, 'other') },
      });
      const batchId = mine.body.data.batch_id;
      await waitForBatch(system, other, batchId);
      const third = await createStaff(system, 'staff-third');
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token: third })).status,
      ).toBe(404);
      expect(
        (
          await api(system.baseUrl, 'POST', `/api/v1/jimeng/batch/${batchId}/cancel`, {
            token: third,
            body: {},
          })
        ).status,
      ).toBe(404);
      const records = await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/list?type=image&work_id=work-other',
        { token: third },
      );
      expect(records.body.data.total).toBe(0);
      const accounts = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', { token: third });
      expect(accounts.body.data.total).toBe(0);
      const otherAccounts = await api(system.baseUrl, 'GET', '/api/v1/jimeng/accounts/list', {
        token: other,
      });
      const accountId = otherAccounts.body.data.list[0].id;
      const stolen = await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/delete', {
        token: third,
        body: { ids: [accountId] },
      });
      expect(stolen.body.data).toEqual({ success_count: 0 });
      expect(
        (
          await api(system.baseUrl, 'POST', '/api/v1/jimeng/accounts/reset-status', {
            token: third,
            body: { id: accountId },
          })
        ).status,
      ).toBe(404);
      // The admin sees everything.
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, { token })).status,
      ).toBe(200);
    });

    it('skips existing storyboards when asked, overwrites them by default', async () => {
      const first = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: { work_id: 'work-skip', batch_data: storyboards(3, 'skip') },
      });
      await waitForBatch(system, token, first.body.data.batch_id);
      const skipped = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: {
          work_id: 'work-skip',
          batch_data: storyboards(4, 'skip'),
          global_config: { existing_records: 'skip' },
        },
      });
      expect(skipped.body.data).toMatchObject({ total_count: 4, skip_count: 3, queue_count: 1 });
      await waitForBatch(system, token, skipped.body.data.batch_id);
      const overwritten = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: { work_id: 'work-skip', batch_data: storyboards(2, 'skip') },
      });
      expect(overwritten.body.data).toMatchObject({ total_count: 2, skip_count: 0, queue_count: 2 });
      await waitForBatch(system, token, overwritten.body.data.batch_id);
      // Overwriting keeps one record per storyboard.
      const all = await api(
        system.baseUrl,
        'GET',
        '/api/v1/jimeng/records/list?type=image&work_id=work-skip&size=50',
        { token },
      );
      expect(all.body.data.total).toBe(4);
    });

    it('never generates the same storyboard twice at once, even when two batches ask for it', async () => {
      // Every gateway call of the worker is timed; the storyboard is in the prompt.
      const calls: Array<{ prompt: string; start: number; end: number }> = [];
      const original = JimengGatewayClient.prototype.generateImages;
      const spy = vi
        .spyOn(JimengGatewayClient.prototype, 'generateImages')
        .mockImplementation(async function (this: JimengGatewayClient, ...args) {
          const start = Date.now();
          try {
            return await original.apply(this, args);
          } finally {
            calls.push({ prompt: args[1].prompt, start, end: Date.now() });
          }
        });
      system.sandbox.state.setLatency(400);
      try {
        const batch = (pass: string) => [
          { storyboard_id: 'lock-0001', prompt: `lock-0001 ${pass}: the gate at dusk` },
          { storyboard_id: 'lock-0002', prompt: `lock-0002 ${pass}: the gate at night` },
        ];
        // Both batches overwrite the same two storyboards and are queued together.
        const [first, second] = await Promise.all(
          ['first', 'second'].map((pass) =>
            api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
              token,
              body: { work_id: 'work-lock', batch_data: batch(pass) },
            }),
          ),
        );
        expect(first.body.data.queue_count).toBe(2);
        expect(second.body.data.queue_count).toBe(2);
        await waitForBatch(system, token, first.body.data.batch_id, 20_000);
        await waitForBatch(system, token, second.body.data.batch_id, 20_000);
        for (const storyboard of ['lock-0001', 'lock-0002']) {
          const runs = calls
            .filter((call) => call.prompt.startsWith(storyboard))
            .sort((a, b) => a.start - b.start);
          expect(runs.map((run) => run.prompt.split(':')[0])).toEqual(
            expect.arrayContaining([`${storyboard} first`, `${storyboard} second`]),
          );
          // One after the other: each call starts after the one before it ended.
          for (let index = 1; index < runs.length; index += 1)
            expect(runs[index].start).toBeGreaterThanOrEqual(runs[index - 1].end);
        }
        // The two storyboards themselves did run side by side (the lock is per storyboard).
        const [a, b] = ['lock-0001', 'lock-0002'].map((id) =>
          calls.find((call) => call.prompt.startsWith(id))!,
        );
        expect(Math.max(a.start, b.start)).toBeLessThan(Math.min(a.end, b.end));
      } finally {
        spy.mockRestore();
        system.sandbox.state.setLatency(30);
      }
    });

    it('retries only the failed items, keeping their retry counts', async () => {
      system.sandbox.state.injectFault({ provider: 'jimeng', code: -2006, count: 2 });
      const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
        token,
        body: { work_id: 'work-retry', batch_data: storyboards(4, 'retry') },
      });
      const batchId = submitted.body.data.batch_id;
      const first = await waitForBatch(system, token, batchId);
      expect(first.status).toBe('partial_failed');
      expect(first.failed_count).toBe(2);
      const failed = first.details.filter((detail: any) => detail.status === 'failed');
      expect(failed[0].error_message).toMatch(/content_blocked|blocked/i);

      const retry = await api(system.baseUrl, 'POST', `/api/v1/jimeng/batch/${batchId}/retry`, {
        token,
        body: {},
      });
      expect(retry.body).toMatchObject({
        code: 200,
        message: '重试任务已提交',
        data: { retry_count: 2, batch_id: batchId },
      });
      const second = await waitForBatch(system, token, batchId);
      expect(second.status).toBe('completed');
      for (const detail of second.details) {
        const wasFailed = failed.some((item: any) => item.storyboard_id === detail.storyboard_id);
        expect(detail.retry_count).toBe(wasFailed ? 1 : 0);
      }
      const forced = await api(system.baseUrl, 'POST', `/api/v1/jimeng/batch/${batchId}/retry`, {
        token,
        body: { storyboard_ids: ['retry-0001'], force_regenerate: true },
      });
      expect(forced.body.data.retry_count).toBe(1);
      await waitForBatch(system, token, batchId);
    });

    it('delivers a signed batch_completed callback, retrying until the receiver accepts', async () => {
      const received: Array<{ body: string; signature: string; event: string }> = [];
      let calls = 0;
      const receiver: Server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          calls += 1;
          if (calls === 1) {
            response.writeHead(500).end('try again');
            return;
          }
          received.push({
            body,
            signature: String(request.headers['x-dreamloom-signature']),
            event: String(request.headers['x-dreamloom-event']),
          });
          response.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const port = (receiver.address() as { port: number }).port;
      try {
        const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
          token,
          body: {
            project_id: 'p9',
            work_id: 'work-callback',
            batch_data: storyboards(2, 'cb'),
            global_config: { callback_url: `http://127.0.0.1:${port}/hook` },
          },
        });
        const batchId = submitted.body.data.batch_id;
        await waitForBatch(system, token, batchId);
        const deadline = Date.now() + 20_000;
        while (received.length === 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(received).toHaveLength(1);
        const [delivery] = received;
        expect(delivery.event).toBe('batch_completed');
        const payload = JSON.parse(delivery.body);
        expect(payload).toMatchObject({
          event: 'batch_completed',
          batch_id: batchId,
          project_id: 'p9',
          work_id: 'work-callback',
          summary: { total: 2, success: 2, failed: 0, success_rate: 1 },
        });
        expect(payload.results[0]).toMatchObject({ status: 'success', error: null });
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivery.signature)!;
        expect(
          createHmac('sha256', 'callback-secret-for-tests').update(`${t}.${delivery.body}`).digest('hex'),
        ).toBe(v1);
        // The delivery row is written after the receiver answers: wait for it.
        let attempts = await system.core.jimeng.models.CallbackDelivery.findAll({
          where: { batch_id: batchId },
          order: [['attempt', 'ASC']],
        });
        for (let tries = 0; attempts.length < 2 && tries < 50; tries += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          attempts = await system.core.jimeng.models.CallbackDelivery.findAll({
            where: { batch_id: batchId },
            order: [['attempt', 'ASC']],
          });
        }
        expect(attempts.map((attempt) => [attempt.attempt, attempt.status_code, attempt.ok])).toEqual([
          [1, 500, false],
          [2, 200, true],
        ]);
      } finally {
        receiver.close();
      }
    });

    it('cancels a batch: waiting items removed, running ones aborted, finished ones kept, leases released', async () => {
      system.sandbox.state.setLatency(1500);
      try {
        const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
          token,
          body: { work_id: 'work-cancel', batch_data: storyboards(20, 'cancel') },
        });
        const batchId = submitted.body.data.batch_id;
        // Wait until some items run, then cancel.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const status = await api(system.baseUrl, 'GET', `/api/v1/jimeng/batch/${batchId}/status`, {
            token,
          });
          if (status.body.data.processing_count > 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const cancelled = await api(system.baseUrl, 'POST', `/api/v1/jimeng/batch/${batchId}/cancel`, {
          token,
          body: { reason: 'wrong script' },
        });
        expect(cancelled.body).toMatchObject({ code: 200, message: '批量任务已取消' });
        expect(cancelled.body.data.cancelled_count).toBeGreaterThan(0);
        expect(cancelled.body.data.affected_storyboards.length).toBe(cancelled.body.data.cancelled_count);
        const final = await waitForBatch(system, token, batchId, 20_000);
        expect(final.status).toBe('cancelled');
        expect(final.processing_count + final.pending_count).toBe(0);
        const accounts = await system.core.models.ProviderAccount.findAll();
        const deadlineLeases = Date.now() + 5000;
        let inFlight: number[] = [];
        do {
          inFlight = [
            ...(
              await system.core.pool['deps'].leases.inFlight(accounts.map((account) => account.id))
            ).values(),
          ];
          if (inFlight.every((count) => count === 0)) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        } while (Date.now() < deadlineLeases);
        expect(inFlight.every((count) => count === 0)).toBe(true);
        // Every item ends completed or cancelled. A running item whose image had already arrived when
        // the cancel landed still completes (its result is kept), so the answer's count is an upper
        // bound of the items that end cancelled, and every one of those was named in it.
        const ended = (status: string) => final.details.filter((detail: any) => detail.status === status);
        expect(ended('completed').length + ended('cancelled').length).toBe(20);
        expect(ended('cancelled').length).toBeGreaterThan(0);
        expect(ended('cancelled').length).toBeLessThanOrEqual(cancelled.body.data.cancelled_count);
        for (const detail of ended('cancelled'))
          expect(cancelled.body.data.affected_storyboards).toContain(detail.storyboard_id);
      } finally {
        system.sandbox.state.setLatency(30);
      }
    });

    it('runs a video batch through the gateway’s video endpoint and stores the MP4', async () => {
      const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/videos/batch-generate', {
        token,
        body: {
          work_id: 'work-video',
          batch_data: [{ storyboard_id: 'v1', prompt: 'a paper boat drifting', duration: 5 }],
        },
      });
      expect(submitted.body.message).toBe('批量文生视频任务已提交');
      const final = await waitForBatch(system, token, submitted.body.data.batch_id, 30_000);
      expect(final.status).toBe('completed');
      const video = await fetch(final.details[0].result_urls[0]);
      expect(video.headers.get('content-type')).toBe('video/mp4');
      const record = (
        await api(system.baseUrl, 'GET', '/api/v1/jimeng/records/list?type=video&work_id=work-video', {
          token,
        })
      ).body.data.list[0];
      expect(record).toMatchObject({
        duration: 5,
        resolution: '720p',
        model: 'jimeng-video-3.0',
        generation_status: 2,
      });
      expect(record.video_urls).toHaveLength(1);
    });
  },
);
