// Contract 003 (Jimeng studio): the account pool, storyboard records, statistics and batches, all
// staff-only, in the envelope `{code: 200, message, data}` that the staff routes share.
import { z, type ZodType } from 'zod';

/** Contract 003's success envelope (also the staff routes'): `{code: 200, message, data}`. */
export const jimengEnvelope = <T extends ZodType>(data: T) =>
  z.object({ code: z.literal(200), message: z.string(), data });

// ---------------------------------------------------------------- accounts (§5, §7.1)
export const OVERSEAS_SITES = ['hk', 'us', 'jp', 'sg'] as const;
const accountFields = {
  jimeng_account: z.string().trim().min(1).max(191),
  jimeng_account_type: z.union([z.literal(0), z.literal(1)]).default(0),
  session_id: z.string().trim().min(8).max(512),
  site_type: z.enum(OVERSEAS_SITES).optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  max_concurrent: z.number().int().min(1).max(50).optional(),
};
export const accountCreateItem = z.object(accountFields);
export type AccountCreateItem = z.input<typeof accountCreateItem>;
export const accountCreateBody = z.object({ accounts: z.array(accountCreateItem).min(1).max(500) });
export const accountUpdateItem = z.object({
  id: z.string().min(1),
  jimeng_account: accountFields.jimeng_account.optional(),
  jimeng_account_type: z.union([z.literal(0), z.literal(1)]).optional(),
  session_id: accountFields.session_id.optional(),
  site_type: accountFields.site_type,
  priority: accountFields.priority,
  max_concurrent: accountFields.max_concurrent,
  /** Staff may disable (3) or re-enable (0) an account by hand. */
  account_status: z.union([z.literal(0), z.literal(3)]).optional(),
});
export type AccountUpdateItem = z.input<typeof accountUpdateItem>;
export const accountUpdateBody = z.object({ accounts: z.array(accountUpdateItem).min(1).max(500) });
export const accountListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(200).default(20),
  account_status: z.coerce.number().int().min(0).max(3).optional(),
  site_type: z
    .string()
    .regex(/^(0|hk|us|jp|sg)$/)
    .optional(),
});
export const accountIdsBody = z.object({ ids: z.array(z.string().min(1)).min(1).max(500) });
export const accountIdBody = z.object({ id: z.string().min(1) });

/** One account as §5.3 lists it, plus the pool's health fields; session_id is masked (`abcd…wxyz`). */
export const jimengAccountView = z.object({
  id: z.string(),
  jimeng_account: z.string(),
  /** 0 China, 1 overseas. */
  jimeng_account_type: z.number(),
  session_id: z.string(),
  /** China as `0` or `'0'`, else an overseas Dreamina region. */
  site_type: z.union([z.string(), z.number()]),
  /** 0 normal, 1 invalid (session expired), 2 cooling down, 3 disabled. */
  account_status: z.number(),
  /** 1 on, 0 off (out of points until quota reset). */
  image_generation_status: z.number(),
  video_generation_status: z.number(),
  image_count: z.number(),
  video_count: z.number(),
  quota_reset_time: z.string().nullable(),
  create_time: z.string().nullable(),
  update_time: z.string().nullable(),
  /** Higher first when the scheduler picks an account. */
  priority: z.number(),
  /** Per-account concurrency limit; `in_flight` counts the jobs holding a lease now. */
  max_concurrent: z.number(),
  in_flight: z.number(),
  credits: z.number().nullable(),
  credits_checked_time: z.string().nullable(),
  /** Why the scheduler set the current status (e.g. rate limited), and until when it cools down. */
  status_reason: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_time: z.string().nullable(),
  cooldown_until: z.string().nullable(),
  /** The zoned times above as ISO 8601 instants, for clients in any zone. */
  quota_reset_time_iso: z.string().nullable(),
  create_time_iso: z.string().nullable(),
  update_time_iso: z.string().nullable(),
  credits_checked_time_iso: z.string().nullable(),
  last_error_time_iso: z.string().nullable(),
  cooldown_until_iso: z.string().nullable(),
});
export type JimengAccountView = z.infer<typeof jimengAccountView>;
/** One refused item of a bulk create or update. */
export const accountItemFailure = z.object({
  index: z.number(),
  jimeng_account: z.string().nullable(),
  id: z.string().optional(),
  /** session_in_use: another live account has this session; not_found: no such account of yours. */
  reason: z.enum(['session_in_use', 'not_found']),
  message: z.string(),
});
export type AccountItemFailure = z.infer<typeof accountItemFailure>;
export const accountBulkResult = z.object({
  success_count: z.number(),
  failed_count: z.number(),
  failures: z.array(accountItemFailure),
});
export type AccountBulkResult = z.infer<typeof accountBulkResult>;
export const accountPage = z.object({
  total: z.number(),
  page: z.number(),
  size: z.number(),
  list: z.array(jimengAccountView),
});
export const accountStatistics = z.object({
  total_accounts: z.number(),
  active_accounts: z.number(),
  inactive_accounts: z.number(),
  banned_accounts: z.number(),
  image_available_accounts: z.number(),
  video_available_accounts: z.number(),
  rate_limited_accounts: z.number(),
  cooling_down_accounts: z.number(),
});
export type AccountStatistics = z.infer<typeof accountStatistics>;
/** The gateway's points of a session. */
export const jimengPoints = z.object({
  giftCredit: z.number(),
  purchaseCredit: z.number(),
  vipCredit: z.number(),
  totalCredit: z.number(),
});
export const accountTestResult = z.object({
  live: z.boolean(),
  credits: jimengPoints.nullable(),
  message: z.string(),
});
export type AccountTestResult = z.infer<typeof accountTestResult>;

export const accountCreateResponse = jimengEnvelope(accountBulkResult);
export const accountUpdateResponse = jimengEnvelope(accountBulkResult);
export const accountListResponse = jimengEnvelope(accountPage);
export const accountDeleteResponse = jimengEnvelope(z.object({ success_count: z.number() }));
export const accountStatisticsResponse = jimengEnvelope(accountStatistics);
export const accountTestResponse = jimengEnvelope(accountTestResult);
/** reset-status answers without `data`. */
export const accountResetResponse = z.object({ code: z.literal(200), message: z.string() });

// ---------------------------------------------------------------- batches (§9, §10)
export const JIMENG_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
export const JIMENG_RESOLUTIONS = ['1k', '2k', '4k', '720p', '1080p'] as const;
export const BATCH_TYPES = ['image_generate', 'image_compose', 'video_generate', 'video_compose'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];
export const BATCH_STATUSES = [
  'pending',
  'processing',
  'completed',
  'partial_failed',
  'failed',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const JIMENG_RECORD_TYPES = ['image', 'video'] as const;
export const jimengRecordType = z.enum(JIMENG_RECORD_TYPES);
export type JimengRecordType = z.infer<typeof jimengRecordType>;

const inputUrl = z.url({ protocol: /^https?$/ }).max(2048);
const jimengModel = z
  .string()
  .regex(/^jimeng-[a-z0-9.-]+$/, 'unknown model')
  .optional();
const duration = z.union([z.literal(5), z.literal(10)]);

/** One storyboard of a batch (§9); fields the item omits come from global_config, then defaults. */
export const batchItem = z.object({
  storyboard_id: z.string().trim().min(1).max(128),
  prompt: z.string().trim().min(1, 'prompt is required').max(4000),
  negative_prompt: z.string().max(2000).optional(),
  ratio: z.enum(JIMENG_RATIOS).optional(),
  // The contract's own example sends "1080p" for an image; accept the gateway's values and that one.
  resolution: z.enum(JIMENG_RESOLUTIONS).optional(),
  intelligent_ratio: z.boolean().optional(),
  sample_strength: z.number().min(0).max(1).optional(),
  model: jimengModel,
  duration: duration.optional(),
  input_images: z.array(inputUrl).max(10).optional(),
});
export const batchGlobalConfig = z.object({
  model: jimengModel,
  resolution: z.enum(JIMENG_RESOLUTIONS).optional(),
  ratio: z.enum(JIMENG_RATIOS).optional(),
  duration: duration.optional(),
  callback_url: inputUrl.optional(),
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
export const batchBody = z.object({
  project_id: z.string().max(128).optional(),
  project_name: z.string().max(255).optional(),
  work_id: z.string().trim().min(1, 'work_id is required').max(128),
  batch_data: z.array(batchItem).min(1, 'batch_data must not be empty').max(10_000),
  global_config: batchGlobalConfig.optional(),
});
export type BatchBody = z.input<typeof batchBody>;
export const batchListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(200).default(20),
  status: z.enum(BATCH_STATUSES).optional(),
  work_id: z.string().max(128).optional(),
});
export const batchRetryBody = z.object({
  storyboard_ids: z.array(z.string().min(1)).max(10_000).optional(),
  force_regenerate: z.boolean().default(false),
});
export const batchCancelBody = z.object({ reason: z.string().max(512).optional() });

/** What a batch submit answers (§9). */
export const batchSubmitResult = z.object({
  batch_id: z.string(),
  total_count: z.number(),
  skip_count: z.number(),
  queue_count: z.number(),
  /** Seconds. */
  estimated_time: z.number(),
  task_id: z.string(),
});
export type BatchSubmitResult = z.infer<typeof batchSubmitResult>;
/** §10.1's counts: total = completed + failed + cancelled + processing + pending + skip + removed. */
export const batchCounts = z.object({
  total_count: z.number(),
  completed_count: z.number(),
  /** Failed items; cancelled ones are counted apart. */
  failed_count: z.number(),
  processing_count: z.number(),
  pending_count: z.number(),
  cancelled_count: z.number(),
});
/** One batch with live counts (the list's rows; the socket.io list and progress events). */
export const batchSummary = batchCounts.extend({
  batch_id: z.string(),
  batch_type: z.string(),
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  work_id: z.string(),
  status: z.enum(BATCH_STATUSES),
  priority: z.number(),
  skip_count: z.number(),
  queue_count: z.number(),
  /** Items whose record was deleted or resubmitted in a later batch. */
  removed_count: z.number(),
  /** completed_count over the items the batch runs, 0–1 (1 when it runs none). */
  progress: z.number(),
  /** Contract 003's Asia/Shanghai wall-clock times, and the same instants as ISO 8601. */
  create_time: z.string().nullable(),
  start_time: z.string().nullable(),
  finish_time: z.string().nullable(),
  create_time_iso: z.string().nullable(),
  start_time_iso: z.string().nullable(),
  finish_time_iso: z.string().nullable(),
});
export type BatchSummary = z.infer<typeof batchSummary>;
/** One storyboard of a batch's status. */
export const batchItemView = z.object({
  storyboard_id: z.string(),
  record_id: z.string(),
  status: z.string(),
  result_urls: z.array(z.string()),
  thumbnail_urls: z.array(z.string()),
  /** Seconds with decimals. */
  generation_time: z.number().nullable(),
  error_message: z.string().nullable(),
  retry_count: z.number(),
});
export type BatchItemView = z.infer<typeof batchItemView>;
export const batchDetail = batchSummary.extend({
  estimated_completion: z.string().nullable(),
  estimated_completion_iso: z.string().nullable(),
  details: z.array(batchItemView),
});
export type BatchDetail = z.infer<typeof batchDetail>;
export const batchPage = z.object({
  total: z.number(),
  page: z.number(),
  size: z.number(),
  list: z.array(batchSummary),
});
export const batchRetryResult = z.object({
  retry_count: z.number(),
  batch_id: z.string(),
  task_id: z.string(),
});
export type BatchRetryResult = z.infer<typeof batchRetryResult>;
export const batchCancelResult = z.object({
  cancelled_count: z.number(),
  completed_count: z.number(),
  affected_storyboards: z.array(z.string()),
});
export type BatchCancelResult = z.infer<typeof batchCancelResult>;

export const batchSubmitResponse = jimengEnvelope(batchSubmitResult);
export const batchListResponse = jimengEnvelope(batchPage);
export const batchStatusResponse = jimengEnvelope(batchDetail);
export const batchRetryResponse = jimengEnvelope(batchRetryResult);
export const batchCancelResponse = jimengEnvelope(batchCancelResult);

// ---------------------------------------------------------------- records (§6, §7.2)
const timeText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/, 'expected YYYY-MM-DD HH:mm:ss');
const isoInstantText = z.iso.datetime({
  offset: true,
  message: 'expected an ISO 8601 instant with an offset, e.g. 2024-12-18T02:00:00Z',
});
export const recordListQuery = z.object({
  type: jimengRecordType,
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
});
export const recordDetailQuery = z.object({ type: jimengRecordType, id: z.string().min(1).max(36) });
export const recordDeleteBody = z.object({
  type: jimengRecordType,
  ids: z.array(z.string().min(1)).min(1).max(1000),
});
export const recordLatestBody = z.object({
  type: jimengRecordType,
  work_id: z.string().min(1).max(128),
  storyboard_ids: z.array(z.string().min(1)).min(1).max(1000),
});
export const recordStatisticsQuery = z.object({
  work_id: z.string().max(128).optional(),
  date_range: z.enum(['today', 'week', 'month']).optional(),
});
export const regenerateParams = z.object({ type: jimengRecordType });
export const regenerateBody = z.object({
  storyboard_id: z.string().min(1).max(128),
  work_id: z.string().min(1).max(128),
  project_id: z.string().max(128).optional(),
  project_name: z.string().max(255).optional(),
  prompt: z.string().trim().min(1).max(4000).optional(),
  model: jimengModel,
  ratio: z.enum(JIMENG_RATIOS).optional(),
  resolution: z.enum(JIMENG_RESOLUTIONS).optional(),
  duration: duration.optional(),
  input_images: z.array(inputUrl).max(10).optional(),
});
export type RegenerateBody = z.input<typeof regenerateBody>;

/** One image or video record (§6.1 list rows, §6.4 detail). 0 pending … 4 cancelled. */
export const jimengRecordView = z.object({
  id: z.string(),
  project_id: z.string().nullable(),
  project_name: z.string().nullable(),
  storyboard_id: z.string(),
  work_id: z.string(),
  batch_id: z.string().nullable(),
  task_id: z.string().nullable(),
  type: jimengRecordType,
  mode: z.string(),
  model: z.string(),
  prompt: z.string(),
  negative_prompt: z.string().nullable(),
  ratio: z.string().nullable(),
  resolution: z.string().nullable(),
  duration: z.number().nullable(),
  sample_strength: z.number().nullable(),
  intelligent_ratio: z.boolean().nullable(),
  input_images: z.array(z.string()),
  generation_status: z.number(),
  site_used: z.union([z.string(), z.number()]).nullable(),
  image_urls: z.array(z.string()).optional(),
  video_urls: z.array(z.string()).optional(),
  thumbnail_urls: z.array(z.string()),
  /** §6.4: the record's files as paths under the data directory. */
  image_local_paths: z.array(z.string()).optional(),
  video_local_paths: z.array(z.string()).optional(),
  account_id: z.string().nullable(),
  account_name: z.string().nullable(),
  /** §6.4: the session id the record was generated with, masked. */
  original_session_id: z.string().nullable(),
  /** Seconds with decimals. */
  generation_time: z.number().nullable(),
  site_switch_count: z.number(),
  retry_count: z.number(),
  error_message: z.string().nullable(),
  callback_url: z.string().nullable(),
  create_time: z.string().nullable(),
  update_time: z.string().nullable(),
  create_time_iso: z.string().nullable(),
  update_time_iso: z.string().nullable(),
});
export type JimengRecordView = z.infer<typeof jimengRecordView>;
export const jimengRecordPage = z.object({
  total: z.number(),
  page: z.number(),
  size: z.number(),
  list: z.array(jimengRecordView),
});
/** §6.5: each storyboard's latest record, null when none. */
export const latestRecords = z.object({
  records: z.array(
    z.object({
      storyboard_id: z.string(),
      record: z
        .object({
          id: z.string(),
          generation_status: z.number(),
          image_urls: z.array(z.string()).optional(),
          video_urls: z.array(z.string()).optional(),
          thumbnail_urls: z.array(z.string()),
          error_message: z.string().nullable(),
          create_time: z.string().nullable(),
          update_time: z.string().nullable(),
        })
        .nullable(),
    }),
  ),
});
/** §7.2: totals, success rate (0–1), average time in seconds, per-day counts. */
export const recordStatistics = z.object({
  total_tasks: z.number(),
  completed_tasks: z.number(),
  failed_tasks: z.number(),
  pending_tasks: z.number(),
  cancelled_tasks: z.number(),
  success_rate: z.number(),
  avg_generation_time: z.number(),
  daily_stats: z.array(
    z.object({
      date: z.string(),
      image_count: z.number(),
      video_count: z.number(),
      success_rate: z.number(),
    }),
  ),
});
export type RecordStatistics = z.infer<typeof recordStatistics>;
export const regenerateResult = z.object({ record_id: z.string(), task_id: z.string() });
/** The admin's Jimeng dashboard: accounts, last 7 days of tasks, queue depth now. */
export const jimengDashboard = z.object({
  accounts: accountStatistics,
  tasks: recordStatistics,
  queue: z.object({ waiting: z.number(), active: z.number(), delayed: z.number(), failed: z.number() }),
});
export type JimengDashboard = z.infer<typeof jimengDashboard>;

export const recordListResponse = jimengEnvelope(jimengRecordPage);
export const recordDetailResponse = jimengEnvelope(jimengRecordView);
export const recordDeleteResponse = jimengEnvelope(z.object({ success_count: z.number() }));
export const recordLatestResponse = jimengEnvelope(latestRecords);
export const recordStatisticsResponse = jimengEnvelope(recordStatistics);
export const regenerateResponse = jimengEnvelope(regenerateResult);
export const jimengDashboardResponse = jimengEnvelope(jimengDashboard);
