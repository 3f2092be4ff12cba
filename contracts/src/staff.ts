// Staff routes the admin app uses: password login, the audit log, trace, the dashboard overview,
// and the health check (contract 004's, with database and Redis reachability). Staff routes answer
// in contract 003's envelope `{code: 200, message, data}` (see jimeng.ts).
import { z } from 'zod';
import { jimengEnvelope } from './jimeng.js';

export const ROLES = ['user', 'pro', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as the server describes it (core's Actor). */
export const actorView = z.object({
  id: z.string(),
  role: z.enum(ROLES),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  /** Only for a bot acting for a platform user in a thread or chat. */
  place: z.object({ platform: z.string(), channel: z.string() }).optional(),
});
export type ActorView = z.infer<typeof actorView>;

// ---- POST /api/v1/staff/auth/login, GET /me, POST /logout ----
export const staffLoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type StaffLoginBody = z.infer<typeof staffLoginBody>;
export const staffLoginData = z.object({ token: z.string(), expires_at: z.iso.datetime(), user: actorView });
export type StaffLoginData = z.infer<typeof staffLoginData>;
export const staffLoginResponse = jimengEnvelope(staffLoginData);
export const staffMeResponse = jimengEnvelope(z.object({ user: actorView }));
export const staffLogoutResponse = jimengEnvelope(z.null());

// ---- GET /api/v1/admin/audit ----
const auditToken = z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'letters, digits and _ . : / - only');
export const auditQuery = z.object({
  target_kind: z
    .string()
    .regex(/^[a-z_]{1,32}$/)
    .optional(),
  target_id: auditToken.optional(),
  actor_id: auditToken.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** One staff action; secrets in before/after are masked. */
export const auditEntry = z.object({
  id: z.string(),
  actor_id: z.string(),
  actor_name: z.string().nullable(),
  actor_role: z.string(),
  action: z.string(),
  target_kind: z.string(),
  target_id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  created_at: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntry>;
export const auditResponse = jimengEnvelope(z.array(auditEntry));

// ---- GET /api/v1/admin/trace ----
export const traceQuery = z.object({ q: z.string().trim().min(1).max(2048) });
/** A provider account as a trace shows it: the session only as its mask. */
export const traceAccount = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  site_type: z.string(),
  session_mask: z.string(),
  account_status: z.number(),
  status_reason: z.string().nullable(),
  last_error: z.string().nullable(),
});
export type TraceAccount = z.infer<typeof traceAccount>;
/** One place work ran: the task as a whole, one output position (004 fan-out), or an upstream job (kie). */
export const traceAttempt = z.object({
  scope: z.string(),
  attempts: z.number(),
  status: z.string(),
  /** `pool`: a pool account's session; `caller`: the caller's own key (004); `service`: a configured key. */
  credential: z.enum(['pool', 'caller', 'service']),
  account: traceAccount.nullable(),
  key_mask: z.string().nullable(),
  error: z.string().nullable(),
});
export type TraceAttempt = z.infer<typeof traceAttempt>;
export const traceError = z.object({
  where: z.string(),
  /** Stored code (PROVIDER_<CLASS>, GENERATION_FAILED, …). */
  code: z.string().nullable(),
  /** The provider failure class (session_expired, rate_limited, content_blocked, …) when known. */
  class: z.string().nullable(),
  /** What the member was told. */
  member_code: z.string().nullable(),
  /** The provider's own text, for staff. */
  message: z.string(),
});
export type TraceError = z.infer<typeof traceError>;
export const traceEvent = z.object({
  at: z.string(),
  kind: z.enum(['created', 'started', 'output', 'credits', 'finished', 'audit', 'record']),
  text: z.string(),
});
export type TraceEvent = z.infer<typeof traceEvent>;
export const traceLedgerEntry = z.object({
  id: z.string(),
  kind: z.string(),
  amount: z.number(),
  balance_after: z.number(),
  actor_id: z.string().nullable(),
  note: z.string().nullable(),
  created_at: z.string(),
});
/** One stored output of the traced task. */
export const traceOutput = z.object({
  id: z.string(),
  position: z.number(),
  kind: z.string(),
  mime: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  size_bytes: z.number(),
  url: z.string(),
  thumbnail_url: z.string().nullable(),
  created_at: z.string().nullable(),
});
export const traceView = z.object({
  query: z.string(),
  matched: z.object({
    kind: z.enum(['generation', 'jimeng_record', 'nanobanana_image', 'media']),
    id: z.string(),
  }),
  task: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).nullable(),
  jimeng_record: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  nanobanana: z.object({ task_id: z.string(), owner_key: z.string() }).nullable(),
  outputs: z.array(traceOutput),
  attempts: z.array(traceAttempt),
  errors: z.array(traceError),
  credits: z.object({
    charged: z.number(),
    refunded: z.number(),
    granted: z.number(),
    net: z.number(),
    entries: z.array(traceLedgerEntry),
  }),
  user: z
    .object({
      id: z.string(),
      username: z.string().nullable(),
      display_name: z.string().nullable(),
      role: z.string(),
      identities: z.array(
        z.object({ provider: z.string(), subject: z.string(), display_name: z.string().nullable() }),
      ),
    })
    .nullable(),
  audit: z.array(auditEntry),
  timeline: z.array(traceEvent),
});
export type TraceView = z.infer<typeof traceView>;
export const traceResponse = jimengEnvelope(traceView);

// ---- GET /api/v1/admin/overview ----
export const OVERVIEW_RANGES = ['today', '7d', '30d'] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];
export const overviewQuery = z.object({
  range: z.enum(OVERVIEW_RANGES).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  tz: z.string().min(1).max(64).optional(),
});
export type OverviewQuery = z.infer<typeof overviewQuery>;
/** The generation families the overview reports; `other` counts a source no family claims. */
export const OVERVIEW_FAMILIES = [
  'jimeng',
  'anime_image',
  'anime_video',
  'nanobanana',
  'story_image',
  'other',
] as const;
export const generationFamily = z.enum(OVERVIEW_FAMILIES);
export type GenerationFamily = z.infer<typeof generationFamily>;
export const familyFigures = z.object({
  total: z.number(),
  completed: z.number(),
  /** Fan-outs (NanoBanana) where some outputs were stored and some failed. */
  partial: z.number(),
  failed: z.number(),
  cancelled: z.number(),
  /** Waiting or running. */
  pending: z.number(),
  /** Done (partial included) of the tasks that are done or failed; null when there are none. */
  success_rate: z.number().nullable(),
  /** Tasks with a measured generation time: what avg and p95 are of. */
  timed: z.number(),
  /** Seconds with decimals (millisecond precision). */
  avg_seconds: z.number().nullable(),
  /** Nearest-rank 95th percentile, seconds with decimals. */
  p95_seconds: z.number().nullable(),
});
export type FamilyFigures = z.infer<typeof familyFigures>;
const countsByFamily = z.partialRecord(generationFamily, z.number());
export const systemOverview = z.object({
  window: z.object({
    from: z.string(),
    to: z.string(),
    time_zone: z.string(),
    bucket: z.enum(['hour', 'day']),
  }),
  families: z.array(familyFigures.extend({ family: generationFamily })),
  totals: familyFigures,
  /** Tasks created per bucket and family, with the bucket's failed tasks. */
  series: z.array(z.object({ start: z.string(), counts: countsByFamily, failed: z.number() })),
  /** Failed tasks (and partial fan-outs) by error class, busiest first. */
  errors: z.array(z.object({ class: z.string(), count: z.number(), by_family: countsByFamily })),
  chat: z.object({
    member_messages: z.number(),
    replies: z.number(),
    active_conversations: z.number(),
    active_members: z.number(),
    new_conversations: z.number(),
  }),
  /** Credits (MC) moved in the window: charged and refunded as positive amounts. */
  credits: z.object({
    charged: z.number(),
    refunded: z.number(),
    granted: z.number(),
    net_charged: z.number(),
    charges: z.number(),
    refunds: z.number(),
    grants: z.number(),
  }),
  /** Jobs per queue now (not windowed); null counts when Redis did not answer. */
  queues: z.array(
    z.object({
      name: z.string(),
      waiting: z.number().nullable(),
      active: z.number().nullable(),
      delayed: z.number().nullable(),
      failed: z.number().nullable(),
    }),
  ),
  generated_at: z.string(),
});
export type SystemOverview = z.infer<typeof systemOverview>;
export const overviewResponse = jimengEnvelope(systemOverview);

// ---- GET /api/v1/health (contract 004 §health, plus checks); 503 with status `error` when down ----
export const healthResponse = z.object({
  status: z.enum(['ok', 'error']),
  message: z.string(),
  checks: z.object({ database: z.boolean(), redis: z.boolean() }),
});
export type HealthResponse = z.infer<typeof healthResponse>;
