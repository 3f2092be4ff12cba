import Router from '@koa/router';
import { z } from 'zod';
import { GENERATION_JOB, type BatchType } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';
import { snowflakeId } from '../http/ids.js';

const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
const recordType = z.enum(['image', 'video']);
const url = z.url({ protocol: /^https?$/ }).max(2048);
const timeText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD HH:mm:ss');
const isoInstantText = z.iso.datetime({
  offset: true,
  message: 'expected an ISO 8601 instant with an offset, e.g. 2024-12-18T02:00:00Z',
});

/** One storyboard of a batch (§9); fields the item omits come from global_config, then defaults. */
const batchItem = z.object({
  storyboard_id: z.string().trim().min(1).max(128),
  prompt: z.string().trim().min(1, 'prompt is required').max(4000),
  negative_prompt: z.string().max(2000).optional(),
  ratio: z.enum(RATIOS).optional(),
  // The contract's own example sends "1080p" for an image; accept the gateway's values and that one.
  resolution: z.enum(['1k', '2k', '4k', '720p', '1080p']).optional(),
  intelligent_ratio: z.boolean().optional(),
  sample_strength: z.number().min(0).max(1).optional(),
  model: z
    .string()
    .regex(/^jimeng-[a-z0-9.-]+$/, 'unknown model')
    .optional(),
  duration: z.union([z.literal(5), z.literal(10)]).optional(),
  input_images: z.array(url).max(10).optional(),
});

const globalConfig = z.object({
  model: z
    .string()
    .regex(/^jimeng-[a-z0-9.-]+$/, 'unknown model')
    .optional(),
  resolution: z.enum(['1k', '2k', '4k', '720p', '1080p']).optional(),
  ratio: z.enum(RATIOS).optional(),
  duration: z.union([z.literal(5), z.literal(10)]).optional(),
  callback_url: url.optional(),
  priority: z.number().int().min(1).max(4).optional(),
  existing_records: z.enum(['skip', 'overwrite']).optional(),
  account_strategy: z
    .object({
      load_balance: z.enum(['round_robin', 'least_used', 'priority']).optional(),
      max_concurrent_per_account: z.number().int().min(1).max(50).optional(),
      auto_switch_on_failure: z.boolean().optional(),
      rate_limit_handling: z.enum(['wait', 'skip', 'switch_on_limit']).optional(),
    })
    .optional(),
});

const batchBody = z.object({
  project_id: z.string().max(128).optional(),
  project_name: z.string().max(255).optional(),
  work_id: z.string().trim().min(1, 'work_id is required').max(128),
  batch_data: z.array(batchItem).min(1, 'batch_data must not be empty').max(10_000),
  global_config: globalConfig.optional(),
});

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
      handler: async (ctx, { body, actor }) => {
        const result = await ctx.core.jimeng.batches.create(actor!, route.type, body);
        return ok.jimeng(result, ctx.core.jimeng.batches.submitMessage(route.type));
      },
    });
  }

  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/batch/list',
    tag: 'jimeng-batches',
    summary: 'Your batches with live counts (Dreamloom addition for the admin)',
    role: 'staff',
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      size: z.coerce.number().int().min(1).max(200).default(20),
      status: z
        .enum(['pending', 'processing', 'completed', 'partial_failed', 'failed', 'cancelled'])
        .optional(),
      work_id: z.string().max(128).optional(),
    }),
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
    body: z.object({
      storyboard_ids: z.array(z.string().min(1)).max(10_000).optional(),
      force_regenerate: z.boolean().default(false),
    }),
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batches.retry(actor!, params.batch_id, body), '重试任务已提交'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/batch/:batch_id/cancel',
    tag: 'jimeng-batches',
    summary: 'Cancel: waiting items removed, running ones aborted, finished ones kept (§10.3)',
    role: 'staff',
    params: z.object({ batch_id: snowflakeId }),
    body: z.object({ reason: z.string().max(512).optional() }),
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batches.cancel(actor!, params.batch_id, body.reason), '批量任务已取消'),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/list',
    tag: 'jimeng-records',
    summary: 'Paged records by type and work (§6.1; work_id optional for browsing)',
    role: 'staff',
    query: z.object({
      type: recordType,
      work_id: z.string().max(128).optional(),
      page: z.coerce.number().int().min(1).default(1),
      size: z.coerce.number().int().min(1).max(200).default(20),
      generation_status: z.coerce.number().int().min(0).max(4).optional(),
      start_time: timeText.optional(),
      end_time: timeText.optional(),
      // Dreamloom addition: the same bounds as instants, so a client in any zone need not know the
      // contract's (the admin sends these; start_time/end_time stay as the contract has them).
      start_time_iso: isoInstantText.optional(),
      end_time_iso: isoInstantText.optional(),
    }),
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.list(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/detail',
    tag: 'jimeng-records',
    summary: 'One record with every parameter (§6.4)',
    role: 'staff',
    query: z.object({ type: recordType, id: z.string().min(1).max(36) }),
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.detail(actor!, query.type, query.id), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/records/delete',
    tag: 'jimeng-records',
    summary: 'Logically delete your records (§6.3)',
    role: 'staff',
    body: z.object({ type: recordType, ids: z.array(z.string().min(1)).min(1).max(1000) }),
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.remove(actor!, body.type, body.ids), '记录删除成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/records/batch',
    tag: 'jimeng-records',
    summary: "Each storyboard's latest record, null when none (§6.5)",
    role: 'staff',
    body: z.object({
      type: recordType,
      work_id: z.string().min(1).max(128),
      storyboard_ids: z.array(z.string().min(1)).min(1).max(1000),
    }),
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.latestByStoryboard(actor!, body), '查询成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/records/statistics',
    tag: 'jimeng-records',
    summary: 'Task statistics by date range and work (§7.2)',
    role: 'staff',
    query: z.object({
      work_id: z.string().max(128).optional(),
      date_range: z.enum(['today', 'week', 'month']).optional(),
    }),
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimeng.records.statistics(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/:type/regenerate',
    tag: 'jimeng-records',
    summary: 'Regenerate a storyboard keeping its record id (§6.2)',
    role: 'staff',
    params: z.object({ type: recordType }),
    body: z.object({
      storyboard_id: z.string().min(1).max(128),
      work_id: z.string().min(1).max(128),
      project_id: z.string().max(128).optional(),
      project_name: z.string().max(255).optional(),
      prompt: z.string().trim().min(1).max(4000).optional(),
      model: z
        .string()
        .regex(/^jimeng-[a-z0-9.-]+$/, 'unknown model')
        .optional(),
      ratio: z.enum(RATIOS).optional(),
      resolution: z.enum(['1k', '2k', '4k', '720p', '1080p']).optional(),
      duration: z.union([z.literal(5), z.literal(10)]).optional(),
      input_images: z.array(url).max(10).optional(),
    }),
    handler: async (ctx, { params, body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.batches.regenerate(actor!, params.type, body), '重新生成任务已提交'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/dashboard',
    tag: 'jimeng-records',
    summary: 'Accounts, last 7 days of tasks and queue depth (Dreamloom addition for the admin)',
    role: 'staff',
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
