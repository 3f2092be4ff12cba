import { z } from 'zod';
import { parseS3Location } from './adapters/storage/s3-location.js';

/**
 * The one configuration schema of every Dreamloom process. Parsed once at boot from the
 * environment; a wrong value stops the process with a message naming the variable.
 * Every variable and its default is listed in `.env.example`.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A comma-separated list (blank entries dropped), e.g. `a.example, b.example:8080`. */
const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((each) => each.trim())
        .filter(Boolean),
    );

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm (24-hour)');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Whether the server checks a route's answer against the response schema it declares (for tests):
   * `off` (default), `log` (a mismatch is logged as an error, the answer goes out), `strict` (a
   * mismatch is logged and the request fails with a 500). The test suite runs with `strict`.
   */
  RESPONSE_SCHEMA_CHECK: z.enum(['off', 'log', 'strict']).default('off'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Base URL clients use to reach this server; media URLs are built from it. */
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  /**
   * Behind a reverse proxy: honour X-Forwarded-For/-Proto/-Host (client address for rate limits and
   * access logs). Off by default, so a client cannot pick its own address with a header.
   */
  TRUST_PROXY: booleanFromEnv.default(false),
  /** How many proxies in front of the server append to X-Forwarded-For (only with TRUST_PROXY). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /**
   * Browser origins allowed to call the public contract APIs (/api/...) cross-origin, comma-separated
   * (`https://app.example.com,http://localhost:3000`), or `*` for any. Empty: no CORS headers at all.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .refine(
      (origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[^/\s?#]+$/.test(origin)),
      'expected `*` or comma-separated origins like https://app.example.com',
    ),
  /** `sqlite:<path>` (embedded default) or `mysql://user:pass@host:port/db` (MySQL/MariaDB). */
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, 'expected sqlite:<file> or mysql://user:pass@host:port/db')
    .default('sqlite:data/dreamloom.sqlite'),
  DATABASE_LOGGING: booleanFromEnv.default(false),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port')
    .default('redis://127.0.0.1:6379'),
  /** Namespaces queues, pub/sub channels and keys so several deployments (or test runs) can share a Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('dreamloom'),
  DATA_DIR: z.string().min(1).default('data'),
  /**
   * Where media files live. Unset: `DATA_DIR/media` on this machine's disk. With servers and workers
   * on several machines: an S3-compatible bucket every process shares,
   * `s3://bucket[/prefix]?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true`.
   */
  STORAGE_URL: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseS3Location(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Credentials of STORAGE_URL's bucket; unset: the AWS SDK's default chain (AWS_* variables, roles). */
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /**
   * The worker's probe port (`GET /health` liveness, `GET /ready` database and Redis), on HOST.
   * Unset: no probe port (several workers on one machine would need one each).
   */
  WORKER_HEALTH_PORT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /**
   * Bearer token Prometheus sends to scrape `/metrics`. The server serves `/metrics` on its public
   * port only when it is set (metrics name queues, volumes and credits: nobody else's business);
   * the worker's probe port serves it openly unless it is set, then it asks for it too.
   */
  METRICS_TOKEN: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  /** How long the health check waits for each dependency (database, Redis) before calling it down. */
  HEALTH_TIMEOUT_MS: z.coerce.number().int().positive().default(1000),
  /** Encrypts provider secrets at rest (AES-256-GCM key derived from it). At least 32 characters. */
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  /** Shared credential of the Discord/Telegram bots; unset disables bot access. */
  BOT_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_USERNAME: z.string().min(3).default('admin'),
  /** Password of the first admin; when unset a random one is generated and printed once. */
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ACCESS_TOKEN_TTL_HOURS: z.coerce.number().positive().default(72),
  JIMENG_BASE_URL: z.url().default('http://127.0.0.1:4010/jimeng'),
  /** Jimeng calls are synchronous and can take minutes (video longer). */
  JIMENG_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
  JIMENG_DEFAULT_MODEL: z.string().default('jimeng-4.5'),
  KIE_BASE_URL: z.url().default('http://127.0.0.1:4010/kie'),
  GEMINI_BASE_URL: z.url().default('http://127.0.0.1:4010/gemini'),
  LLM_BASE_URL: z.url().default('http://127.0.0.1:4010/openai/v1'),
  LLM_API_KEY: z.string().default('sandbox-llm-key'),
  QUOTA_RESET_TIME: timeOfDay.default('00:30'),
  QUOTA_TIMEZONE: z
    .string()
    .refine((zone) => isValidTimeZone(zone), 'unknown IANA time zone')
    .default('Asia/Shanghai'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** How many accounts one generation may try before it fails. */
  GENERATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /**
   * The reconciler's regular pass. A lost Redis (flush, restart empty) does not wait for it: the
   * loss is noticed within REDIS_LOSS_CHECK_MS and a pass runs at once.
   */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Tasks older than this without a queue job are re-enqueued by the reconciler. */
  RECONCILE_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * How often each worker checks that Redis still holds its data (a marker key of its own): a
   * FLUSHALL or a restart with an empty Redis loses every queued job, and the reconciler queues
   * them again from the database as soon as this notices. The pass first waits two of these or
   * a third of LEASE_TTL_MS, whichever is longer: every worker writes down again the jobs it is
   * running (renewed every one of these) and their account leases, so neither is taken for free.
   */
  REDIS_LOSS_CHECK_MS: z.coerce.number().int().min(100).default(1000),
  /** Reference/provider downloads larger than this are refused. */
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /**
   * Provider account leases lapse after this unless their worker renews them (every third of it):
   * a killed worker's account slots are free again within this long. Shorter frees them sooner;
   * a worker that cannot reach Redis for about this long loses its lease while its call still
   * runs, and the account may briefly take one call more than it allows.
   */
  LEASE_TTL_MS: z.coerce.number().int().min(1000).default(10_000),
  /** How long a generation waits for a busy or recovering pool before it fails. */
  LEASE_WAIT_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Default account selection (contract 003 §11.1): round_robin, least_used or priority. */
  ACCOUNT_STRATEGY: z.enum(['round_robin', 'least_used', 'priority']).default('least_used'),
  /** Default rate_limit_handling (contract 003 §11.1): wait, skip or switch_on_limit. */
  RATE_LIMIT_HANDLING: z.enum(['wait', 'skip', 'switch_on_limit']).default('wait'),
  VIDEO_CONCURRENCY_GLOBAL: z.coerce.number().int().min(1).default(5),
  VIDEO_CONCURRENCY_PER_ACCOUNT: z.coerce.number().int().min(1).default(2),
  /** Contract 003 states both 1000 and 100; Dreamloom defaults to 100 image / 50 video items per batch. */
  BATCH_MAX_IMAGE_ITEMS: z.coerce.number().int().min(1).max(10_000).default(100),
  BATCH_MAX_VIDEO_ITEMS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Signs batch callbacks (HMAC-SHA256); derived from SECRET_KEY when unset. */
  CALLBACK_SIGNING_SECRET: z.string().min(16).optional(),
  CALLBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /**
   * BullMQ job lock, renewed by the running worker every quarter to half of it however long the job
   * runs (a ten-minute Jimeng call keeps its lock). A killed worker's jobs go back to the queue
   * once their lock lapses (at most this long after the kill) and the next stalled check runs: at
   * most QUEUE_LOCK_MS + QUEUE_STALLED_CHECK_MS, 12 s with the defaults. Shorter recovers sooner;
   * a worker whose event loop or Redis stalls for more than about half of it may lose a live job
   * to another worker, which then runs it a second time.
   */
  QUEUE_LOCK_MS: z.coerce.number().int().min(1000).default(10_000),
  /**
   * How often workers look for jobs whose lock lapsed (one check per queue across all workers).
   * It only adds to the recovery time above; it never declares a live job stalled (that takes a
   * lapsed lock), so it can be short: each check is one small Redis script per queue.
   */
  QUEUE_STALLED_CHECK_MS: z.coerce.number().int().min(100).default(2_000),
  /**
   * How long a stopping worker lets its running jobs finish (SIGTERM/SIGINT). Jobs still running
   * then are handed back: their provider call is aborted, their account slot freed, and the job
   * returns to the queue at once (no attempt counted, no failure), for another worker to take.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** How often account credits are re-read from the gateway's /token/points. */
  CREDITS_REFRESH_INTERVAL_MS: z.coerce.number().int().min(10_000).default(1_800_000),
  /** Contract 004 without a bearer token: allowed (one shared workspace) only when true. */
  NANOBANANA_ANONYMOUS: booleanFromEnv.default(false),
  /** Sub-jobs of one NanoBanana task in flight at once. */
  NANOBANANA_TASK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** Open `/api/v1/ws/generate/:taskId` sockets per server; past it new ones close with 1013. */
  NANOBANANA_WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1000),
  /** Contract 004 rate limit per client IP: sustained requests per second and burst. */
  NANOBANANA_RATE_PER_SEC: z.coerce.number().positive().default(10),
  NANOBANANA_RATE_BURST: z.coerce.number().int().min(1).default(20),
  /** Largest accepted reference image (batch-with-images). */
  NANOBANANA_REF_IMAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Search (004): BM25 orders the newest N matches (it costs µs per match); later pages go newest first. */
  NANOBANANA_SEARCH_RELEVANCE_WINDOW: z.coerce.number().int().min(10).default(1000),
  GEMINI_TIMEOUT_MS: z.coerce.number().int().positive().default(180_000),
  /** Contract 002 (story chat): paw_ token lifetime (3 days). */
  STORY_TOKEN_TTL_HOURS: z.coerce.number().positive().default(72),
  /** Contract 002: requests per minute per user on the story API. */
  STORY_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(100),
  /** Contract 002: largest image upload (10 MB). */
  STORY_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  /** Contract 002: conversations untouched this long are deleted by the cleanup job. */
  STORY_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Per-call timeout of the upstream LLM. */
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  ADMIN_DIST_DIR: z.string().default('admin/dist'),
  /** kie.ai API key for contract 001 videos (the sandbox accepts any key). */
  KIE_API_KEY: z.string().min(1).default('sandbox-kie-key'),
  /** Verifies kie callbacks (X-Webhook-Signature); unset: callbacks are only hints, re-checked with recordInfo. */
  KIE_WEBHOOK_KEY: z.string().min(8).optional(),
  KIE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** First status re-check after a kie task is created; later ones back off by half up to the max. */
  KIE_POLL_INITIAL_MS: z.coerce.number().int().min(50).default(3000),
  KIE_POLL_MAX_MS: z.coerce.number().int().min(50).default(30_000),
  /** A kie task still unfinished after this long fails (and is refunded). */
  KIE_POLL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(900_000),
  /** Contract 001 video models as JSON (see core/src/anime/video-models.ts); unset: the five documented ones. */
  ANIME_VIDEO_MODELS: z.string().optional(),
  /** MC charged per image of contract 000's create-task (the contract names no price; 0 = free). */
  ANIME_IMAGE_CREDITS_PER_IMAGE: z.coerce.number().int().min(0).default(0),
  /** Most image+video generations a member may have pending or processing at once (0 = no limit); staff are exempt. */
  ANIME_MAX_JOBS_IN_FLIGHT: z.coerce.number().int().min(0).default(3),
  /** The same limit for Pro members. */
  ANIME_PRO_MAX_JOBS_IN_FLIGHT: z.coerce.number().int().min(0).default(6),
  /** Most generations a member may start in any 24 hours, refunded ones not counted (0 = no quota); staff are exempt. */
  ANIME_DAILY_GENERATION_QUOTA: z.coerce.number().int().min(0).default(0),
  /** Upstream model for optimize-prompt and build-extract-prompt (at LLM_BASE_URL). */
  ANIME_LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Hosts (as written in URLs) that reference images may load from even if they resolve to private addresses. */
  ANIME_REFERENCE_ALLOWED_HOSTS: commaList(''),
  ANIME_REFERENCE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  ANIME_REFERENCE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Outbound policy (SSRF): hosts staff trust although they resolve to private or loopback addresses,
   * comma-separated `host` (any port) or `host:port`. Every other URL a caller chooses must resolve
   * to public addresses only. ANIME_REFERENCE_ALLOWED_HOSTS is an older alias, still honoured.
   */
  OUTBOUND_ALLOWED_HOSTS: commaList(''),
  /** Default timeout of a request under the outbound policy (callbacks; references have their own). */
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Contract 004's `apiBase`: URL prefixes a caller may name (comma-separated); GEMINI_BASE_URL is
   * always allowed too. Any other base is a 400.
   */
  NANOBANANA_API_BASE_ALLOWLIST: commaList('https://generativelanguage.googleapis.com').refine(
    (bases) => bases.every((base) => /^https?:\/\/[^\s]+$/.test(base)),
    'expected comma-separated http(s) base URLs like https://generativelanguage.googleapis.com',
  ),
  /**
   * Staff alerts (core/src/alerts): a webhook the worker notifies when accounts break, the pool runs
   * low or generations fail in bulk. Unset: no alerts. Requested through the outbound policy, so a
   * receiver on a private or loopback address needs OUTBOUND_ALLOWED_HOSTS.
   */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /** discord (`{content}`), telegram (sendMessage; needs ALERT_TELEGRAM_CHAT_ID) or json (`{type, severity, message, details, at}`). */
  ALERT_WEBHOOK_FORMAT: z.enum(['discord', 'telegram', 'json']).default('json'),
  ALERT_TELEGRAM_CHAT_ID: z.string().min(1).optional(),
  /** One alert per condition (e.g. one account's invalidation) per this long, across all nodes. */
  ALERT_DEDUP_MS: z.coerce.number().int().min(0).default(1_800_000),
  /** A failed delivery is tried once more after this long. */
  ALERT_RETRY_MS: z.coerce.number().int().min(0).default(60_000),
  /** An account's cooldown alerts once it reaches this level (cooled down this many times in a row). */
  ALERT_COOLDOWN_LEVEL: z.coerce.number().int().min(1).default(3),
  /** Alert when fewer slots than this could take image (or video) work; 0 = off, 1 = "none at all". */
  ALERT_POOL_FREE_BELOW: z.coerce.number().int().min(0).default(1),
  /** How often each worker reads the pool's capacity for that alert. */
  ALERT_POOL_CHECK_MS: z.coerce.number().int().min(100).default(60_000),
  /** Alert when at least this share of the generations finished within ALERT_WINDOW_MS failed… */
  ALERT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0.5),
  /** …and at least this many finished (a single failure is no spike). */
  ALERT_FAILURE_MIN_JOBS: z.coerce.number().int().min(1).default(10),
  ALERT_WINDOW_MS: z.coerce.number().int().min(1000).default(600_000),
  /** Gemini key for contract 000 images whose model_uuid names a Gemini model (the sandbox accepts any). */
  ANIME_GEMINI_API_KEY: z.string().min(1).default('sandbox-gemini-key'),
  /** Gemini image models members may choose by model_uuid (comma-separated). */
  ANIME_GEMINI_MODELS: commaList('gemini-2.5-flash-image,gemini-3-pro-image-preview'),
});

export type AppConfig = z.infer<typeof configSchema>;

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses configuration from an env-like record; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings mean "unset" so `.env` lines like `ADMIN_PASSWORD=` fall back to defaults.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(root)';
        const received =
          issue.code === 'invalid_type' && cleaned[variable] === undefined ? 'is required' : issue.message;
        return `${variable}: ${received}`;
      }),
    );
  }
  return parsed.data;
}
