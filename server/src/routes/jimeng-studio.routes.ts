import Router from '@koa/router';
import { z } from 'zod';
import {
  batchBody,
  batchCancelBody,
  batchCancelResponse,
  batchListQuery,
  batchListResponse,
  batchRetryBody,
  batchRetryResponse,
  batchStatusResponse,
  batchSubmitResponse,
  jimengDashboardResponse,
  jimengRecordType,
  recordDeleteBody,
  recordDeleteResponse,
  recordDetailQuery,
  recordDetailResponse,
  recordLatestBody,
  recordLatestResponse,
  recordListQuery,
  recordListResponse,
  recordStatisticsQuery,
  recordStatisticsResponse,
  regenerateBody,
  regenerateResponse,
} from '@dreamloom/contracts';
import { GENERATION_JOB, type BatchType } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';
import { snowflakeId } from '../http/ids.js';

const BATCH_ROUTES: Array<{ path: string; type: BatchType; summary: string }> = [
  {
    path: '/api/v1/jimeng/images/batch-generate',
    type: 'image_generate',
    summary: 'Batch text-to-image (§9.1)',
  },
  {
    path: '/api/v1/jimeng/images/batch-compose',
    type: 'image_compose',
    summary: 'Batch image-to-image, ≤10 input images each (§9.2)',
  },
  {
    path: '/api/v1/jimeng/videos/batch-generate',
    type: 'video_generate',
    summary: 'Batch text-to-video (§9.3)',
  },
  {
    path: '/api/v1/jimeng/videos/batch-compose',
    type: 'video_compose',
    summary: 'Batch image-to-video, first/last frame (§9.4)',
  },
];

/** Contract 003 §6, §7.2, §9, §10: records, statistics and storyboard batches (staff). */
export function jimengStudioRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();

  for (const route of BATCH_ROUTES) {
    registry.add(router, {
      method: 'post',
      path: route.path,
      tag: 'jimeng-batches',
      summary: route.summary,
      role: 'staff',
      body: batchBody,
      response: batchSubmitResponse,
      handler: async (ctx, { body, actor }) => {
        const result = await ctx.core.jimeng.batchSubmissions.create(actor!, route.type, body);
        return ok.jimeng(result, ctx.core.jimeng.batchSubmissions.submitMessage(route.type));
      },
    });
  }

  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/batch/list',
    tag: 'jimeng-batches',
    summary: 'Your batches with live counts (Dreamloom addition for the admin)',
    role: 'staff',
    query: batchListQuery,
    response: batchListResponse,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batches.list(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/batch/:batch_id/status',
    tag: 'jimeng-batches',
    summary: 'Batch status with per-storyboard details (§10.1)',
    role: 'staff',
    params: z.object({ batch_id: snowflakeId }),
    response: batchStatusResponse,
    handler: async (ctx, { params, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batches.status(actor!, params.batch_id), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/batch/:batch_id/retry',
    tag: 'jimeng-batches',
    summary: 'Retry failed items (or the named ones; force also redoes completed ones) (§10.2)',
    role: 'staff',
    params: z.object({ batch_id: snowflakeId }),
    body: batchRetryBody,
    response: batchRetryResponse,
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batchReruns.retry(actor!, params.batch_id, body), '重试任务已提交'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/batch/:batch_id/cancel',
    tag: 'jimeng-batches',
    summary: 'Cancel: waiting items removed, running ones aborted, finished ones kept (§10.3)',
    role: 'staff',
    params: z.object({ batch_id: snowflakeId }),
    body: batchCancelBody,
    response: batchCancelResponse,
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(
        await ctx.core.jimeng.batchReruns.cancel(actor!, params.batch_id, body.reason),
        '批量任务已取消',
      ),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/list',
    tag: 'jimeng-records',
    summary: 'Paged records by type and work (§6.1; work_id optional for browsing)',
    role: 'staff',
    query: recordListQuery,
    response: recordListResponse,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.list(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/detail',
    tag: 'jimeng-records',
    summary: 'One record with every parameter (§6.4)',
    role: 'staff',
    query: recordDetailQuery,
    response: recordDetailResponse,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.detail(actor!, query.type, query.id), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/records/delete',
    tag: 'jimeng-records',
    summary: 'Logically delete your records (§6.3)',
    role: 'staff',
    body: recordDeleteBody,
    response: recordDeleteResponse,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.remove(actor!, body.type, body.ids), '记录删除成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/records/batch',
    tag: 'jimeng-records',
    summary: "Each storyboard's latest record, null when none (§6.5)",
    role: 'staff',
    body: recordLatestBody,
    response: recordLatestResponse,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.latestByStoryboard(actor!, body), '查询成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/statistics',
    tag: 'jimeng-records',
    summary: 'Task statistics by date range and work (§7.2)',
    role: 'staff',
    query: recordStatisticsQuery,
    response: recordStatisticsResponse,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.statistics(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/:type/regenerate',
    tag: 'jimeng-records',
    summary: 'Regenerate a storyboard keeping its record id (§6.2)',
    role: 'staff',
    params: z.object({ type: jimengRecordType }),
    body: regenerateBody,
    response: regenerateResponse,
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(
        await ctx.core.jimeng.batchReruns.regenerate(actor!, params.type, body),
        '重新生成任务已提交',
      ),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/dashboard',
    tag: 'jimeng-records',
    summary: 'Accounts, last 7 days of tasks and queue depth (Dreamloom addition for the admin)',
    role: 'staff',
    response: jimengDashboardResponse,
    handler: async (ctx, { actor }) => {
      const [accounts, tasks, queue] = await Promise.all([
        ctx.core.jimengAccounts.statistics(actor!),
        ctx.core.jimeng.records.statistics(actor!, { date_range: 'week' }),
        ctx.core.queue.counts(GENERATION_JOB),
      ]);
      return ok.jimeng({ accounts, tasks, queue }, '查询成功');
    },
  });
  return router;
}
