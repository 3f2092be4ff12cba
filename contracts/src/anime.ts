// Contracts 000 (anime images) and 001 (anime videos), with the unified generation routes
// (`/api/generation/...`: status, find, reroll, cancel, webhook, credits) and the staff catalog.
// Answers are `{success: true, data}` except where the contract documents bare JSON (001's quote
// and the unified status). Errors: `{success: false, error: {code, message}}`.
import { z } from 'zod';

/** The success envelope of contracts 000/001. */
export const animeEnvelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

/** Their error envelope (stable English code and message). */
export const animeErrorResponse = z.object({
  success: z.literal(false),
  error: z.object({ code: z.string(), message: z.string() }),
});

/** A generation's status as members see it (a cancelled task reads as failed). */
export const GENERATION_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export const generationStatus = z.enum(GENERATION_STATUSES);
export type GenerationStatus = z.infer<typeof generationStatus>;

/** Job card actions the server runs on a member's own finished generation. */
export const GENERATION_ACTIONS = ['reroll', 'variation', 'upscale'] as const;
export const generationAction = z.enum(GENERATION_ACTIONS);
export type GenerationActionName = z.infer<typeof generationAction>;

export const IMAGE_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
export const PRESET_KINDS = ['style', 'scene', 'outfit', 'action'] as const;
export const presetKind = z.enum(PRESET_KINDS);
export const MEMBER_PLAN_NAMES = ['free', 'pro'] as const;

const historyStatusQuery = z.enum(['completed', 'failed', 'pending', 'processing']);

// ---- 000: POST /api/anime-generation/create-task ----
/**
 * Contract 000 create-task (anime and action_figure). No defaults here: a reuse (`gen_image_id`)
 * takes every field not given from the earlier generation, and the service applies defaults after.
 */
export const animeCreateTaskBody = z.object({
  gen_type: z.enum(['anime', 'action_figure']).optional(),
  prompt: z.string().trim().max(2000).optional(),
  template_id: z.string().max(64).optional(),
  template_prompt: z.string().max(2000).optional(),
  user_prompt: z.string().max(2000).optional(),
  aspect_ratio: z.enum(IMAGE_RATIOS).optional(),
  image_resolution: z
    .string()
    .regex(/^[124][kK]$/, 'image_resolution must be 1K, 2K or 4K')
    .optional(),
  model_uuid: z.string().max(64).optional(),
  batch_size: z.number().int().min(1).max(4).optional(),
  visibility_level: z.enum(['public', 'private']).optional(),
  style_preset: z.string().max(64).optional(),
  scene_preset: z.string().max(64).optional(),
  outfit_preset: z.string().max(64).optional(),
  action_preset: z.string().max(64).optional(),
  character_uuids: z.array(z.string().max(64)).max(4).optional(),
  reference_image_urls: z.array(z.string().max(2048)).max(4).optional(),
  gen_image_id: z.string().max(64).optional(),
});
export type AnimeCreateTaskBody = z.infer<typeof animeCreateTaskBody>;
export const animeTaskCreated = z.object({ generation_uuid: z.string(), status: z.literal('pending') });
export const animeCreateTaskResponse = animeEnvelope(animeTaskCreated);
export type AnimeCreateTaskResponse = z.infer<typeof animeCreateTaskResponse>;

// ---- 000/001: optimize-prompt ----
export const animeOptimizePromptBody = z.object({
  prompt: z.string().trim().min(1, 'prompt is required').max(4000),
  style: z.string().max(200).optional(),
  scene: z.string().max(200).optional(),
  outfit: z.string().max(200).optional(),
});
export const videoOptimizePromptBody = z.object({
  prompt: z.string().trim().min(1, 'prompt is required').max(5000),
  style: z.string().max(200).optional(),
  duration: z.union([z.string().max(16), z.number()]).optional(),
});
export const optimizedPrompt = z.object({
  original_prompt: z.string(),
  optimized_prompt: z.string(),
  improvements: z.array(z.string()),
});
export const optimizePromptResponse = animeEnvelope(optimizedPrompt);
export type OptimizePromptResponse = z.infer<typeof optimizePromptResponse>;

// ---- 000: POST /api/anime-generation/build-extract-prompt ----
export const buildExtractPromptBody = z.object({
  template_key: z.string().trim().min(1, 'template_key is required').max(64),
  template_params: z.record(z.string(), z.unknown()).default({}),
  use_llm_build: z.boolean().default(true),
});
export const buildExtractPromptResponse = animeEnvelope(z.object({ prompt: z.string() }));

// ---- quotes: 000 POST /api/anime-generation/quote (enveloped), 001 POST /api/anime-video/quote (bare) ----
export const animeQuoteBody = z.object({
  model_uuid: z.string().max(64).optional(),
  image_resolution: animeCreateTaskBody.shape.image_resolution,
  batch_size: animeCreateTaskBody.shape.batch_size,
});
export const priceQuote = z.object({ estimated_credits: z.number(), explain: z.string() });
export type PriceQuoteView = z.infer<typeof priceQuote>;
export const animeQuoteResponse = animeEnvelope(priceQuote);
/** Contract 001 documents the video quote as bare JSON. */
export const videoQuoteResponse = priceQuote;

// ---- 000: GET /api/anime-generation/history (and the staff list of every generation) ----
export const animeHistoryQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: historyStatusQuery.optional(),
});
export const generationImage = z.object({
  id: z.string(),
  image_url: z.string(),
  thumbnail_url: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  mime: z.string(),
});
export const generationRecord = z.object({
  generation_uuid: z.string(),
  user_id: z.string(),
  /** `anime`, `action_figure` or `video`. */
  gen_type: z.string(),
  status: generationStatus,
  prompt: z.string(),
  model: z.string(),
  aspect_ratio: z.string().nullish(),
  image_resolution: z.string().nullable(),
  batch_size: z.number(),
  credits_used: z.number(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  /** Staff views only: the provider's own text. */
  error_detail: z.string().nullable().optional(),
  visibility_level: z.string(),
  created_at: z.string(),
  images: z.array(generationImage),
  /** Every setting of the request, so a reuse restores it exactly. */
  params: z.record(z.string(), z.unknown()),
});
export type GenerationRecord = z.infer<typeof generationRecord>;
export const historyPagination = z.object({
  page: z.number(),
  limit: z.number(),
  total: z.number(),
  totalPages: z.number(),
  hasNext: z.boolean(),
  hasPrev: z.boolean(),
});
export const animeHistoryResponse = animeEnvelope(
  z.object({ records: z.array(generationRecord), pagination: historyPagination }),
);
export type AnimeHistoryResponse = z.infer<typeof animeHistoryResponse>;

// ---- 000: GET /api/anime-generation/presets ----
export const presetsQuery = z.object({ kind: presetKind.optional() });
export const presetView = z.object({
  kind: presetKind,
  key: z.string(),
  name: z.string(),
  prompt: z.string(),
});
export const presetsResponse = animeEnvelope(z.array(presetView));

// ---- GET /api/generation/find (short ids) ----
export const findGenerationsQuery = z.object({
  prefix: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f-]{6,36}$/, 'prefix must be 6 to 36 characters of a generation id (hex digits and "-")'),
});
export const findGenerationsResponse = animeEnvelope(
  z.object({
    generations: z.array(
      z.object({
        generation_uuid: z.string(),
        short_id: z.string(),
        kind: z.enum(['image', 'video']),
        status: generationStatus,
        prompt: z.string(),
        created_at: z.string(),
      }),
    ),
  }),
);
export type FindGenerationsResponse = z.infer<typeof findGenerationsResponse>;

// ---- GET /api/generation/status/{uuid}: bare JSON, as contract 001 documents ----
export const generationUuidParams = z.object({ uuid: z.uuid() });
export const generationResult = z.object({
  image_url: z.string(),
  thumbnail_url: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  mime: z.string(),
});
export const generationStatusResponse = z.object({
  uuid: z.string(),
  /** Contract 001's four; a batch some of whose images failed is `completed` with those it has. */
  status: generationStatus,
  progress: z.number(),
  /** Jobs ahead of this one (0: it runs next); null once it runs. */
  queue_position: z.number().nullable(),
  results: z.array(generationResult),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  /** Staff only: the provider's own text of a failure. */
  error_detail: z.string().nullable().optional(),
  credits_used: z.number(),
  /** Finished generations: the job card actions that apply for their owner. */
  actions: z.array(generationAction).optional(),
});
export type GenerationStatusResponse = z.infer<typeof generationStatusResponse>;

// ---- job card actions: POST /api/generation/reroll/{uuid}, /api/anime-generation/{variation,upscale}/{uuid} ----
export const imageActionBody = z.object({ image_index: z.number().int().min(0).max(9) });
export const actionStarted = z.object({
  generation_uuid: z.string(),
  status: z.enum(['pending', 'processing']),
  kind: z.enum(['image', 'video']),
  /** The member's prompt of the original generation, for the new card. */
  prompt: z.string(),
  /** Charged at creation (videos). */
  credits_cost: z.number().optional(),
});
export const actionStartedResponse = animeEnvelope(actionStarted);
export type ActionStartedResponse = z.infer<typeof actionStartedResponse>;

// ---- POST /api/generation/cancel/{uuid} ----
export const cancelGenerationResponse = animeEnvelope(
  z.object({ generation_uuid: z.string(), cancelled: z.literal(true) }),
);

// ---- 001: POST /api/anime-video/create-task ----
const videoFields = {
  model_id: z.string().min(1, 'model_id is required').max(64),
  task_subtype: z.enum(['text_to_video', 'image_to_video']).optional(),
  aspect_ratio: z.string().max(16).optional(),
  duration_seconds: z.coerce.number().int().positive().optional(),
  resolution: z.string().max(16).optional(),
  mode: z.string().max(16).optional(),
  multi_shots: z.boolean().optional(),
  reference_image_url: z.string().max(2048).optional(),
  reference_image_urls: z.array(z.string().max(2048)).max(8).optional(),
};
export const videoCreateTaskBody = z.object({
  ...videoFields,
  prompt: z.string().trim().min(1, 'prompt is required').max(5000),
  motion: z.string().max(200).optional(),
  style_preset: z.string().max(100).optional(),
  character_uuid: z.string().max(64).optional(),
  visibility_level: z.enum(['public', 'private']).default('public'),
});
export type VideoCreateTaskBody = z.input<typeof videoCreateTaskBody>;
export const videoQuoteBody = z.object({ ...videoFields, prompt: z.string().max(5000).optional() });
export const videoTaskCreated = z.object({
  generation_uuid: z.string(),
  status: z.literal('processing'),
  estimated_time: z.number(),
  credits_cost: z.number(),
  message: z.string(),
});
export const videoCreateTaskResponse = animeEnvelope(videoTaskCreated);
export type VideoCreateTaskResponse = z.infer<typeof videoCreateTaskResponse>;

// ---- 001: GET /api/anime-video/models ----
export const videoModelView = z.object({
  model_id: z.string(),
  name: z.string(),
  provider: z.string(),
  aspect_ratios: z.array(z.string()),
  durations: z.array(z.number()),
  /** Empty: the model takes no resolution. */
  resolutions: z.array(z.string()),
  /** Empty: the model takes no mode. */
  modes: z.array(z.string()),
  max_reference_images: z.number(),
  multi_shots: z.boolean(),
});
export const videoModelsResponse = animeEnvelope(z.array(videoModelView));
export type VideoModelsResponse = z.infer<typeof videoModelsResponse>;

// ---- 001: POST /api/generation/webhook (provider callbacks) ----
export const webhookQuery = z.object({ provider: z.enum(['kie']).default('kie') });
export const webhookBody = z.record(z.string(), z.unknown());
export const webhookResponse = animeEnvelope(
  z.object({ received: z.literal(true), known: z.boolean(), finished: z.boolean() }),
);

// ---- credits (MC) ----
export const creditsQuery = z.object({
  user_id: z.string().max(36).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
export const ledgerEntry = z.object({
  id: z.string(),
  kind: z.string(),
  amount: z.number(),
  balance_after: z.number(),
  task_id: z.string().nullable(),
  note: z.string().nullable(),
  created_at: z.string(),
});
/** Generations in flight against the member's limits (`null`: no limit applies). */
export const jobsUsage = z.object({
  running: z.number(),
  queued: z.number(),
  limit: z.number().nullable(),
  daily_used: z.number(),
  daily_quota: z.number().nullable(),
});
export const creditsResponse = animeEnvelope(
  z.object({ user_id: z.string(), balance: z.number(), ledger: z.array(ledgerEntry), jobs: jobsUsage }),
);
export type CreditsResponse = z.infer<typeof creditsResponse>;
export const creditUsersQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  q: z.string().trim().max(128).optional(),
});
export const creditUsersResponse = animeEnvelope(
  z.object({
    records: z.array(
      z.object({
        user_id: z.string(),
        username: z.string().nullable(),
        display_name: z.string().nullable(),
        role: z.string(),
        /** `<provider>:<subject>` of each sign-in identity. */
        identities: z.array(z.string()),
        balance: z.number(),
        created_at: z.string(),
      }),
    ),
    pagination: z.object({ page: z.number(), limit: z.number(), total: z.number(), totalPages: z.number() }),
  }),
);
export const grantCreditsBody = z.object({
  user_id: z.string().min(1).max(36),
  amount: z.number().int().min(-10_000_000).max(10_000_000),
  idempotency_key: z.string().min(1).max(128).optional(),
  note: z.string().max(255).optional(),
});
export const grantCreditsResponse = animeEnvelope(z.object({ entry: ledgerEntry, balance: z.number() }));

// ---- staff catalog: templates, presets, models and prices, plans, every generation ----
const catalogKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'keys are lower-case letters, digits, dot, dash or underscore');
export const templateKeyParams = z.object({ key: catalogKey });
export const templateVariable = z.object({
  name: z.string(),
  type: z.enum(['string', 'number', 'boolean', 'enum']),
  required: z.boolean(),
  options: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export const templateView = z.object({
  template_key: z.string(),
  name: z.string(),
  template: z.string(),
  variables: z.array(templateVariable),
  llm_instructions: z.string().nullable(),
  is_active: z.boolean(),
});
export const templatesResponse = animeEnvelope(z.array(templateView));
export const saveTemplateBody = z.object({
  name: z.string().trim().min(1).max(128),
  template: z.string().trim().min(1).max(8000),
  variables: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
        type: z.enum(['string', 'number', 'boolean', 'enum']).default('string'),
        required: z.boolean().default(false),
        options: z.array(z.string().max(128)).max(100).optional(),
        description: z.string().max(500).optional(),
      }),
    )
    .max(50),
  llm_instructions: z.string().max(4000).nullable().optional(),
  is_active: z.boolean().optional(),
});
export const saveTemplateResponse = animeEnvelope(templateView);
export const presetParams = z.object({ kind: presetKind, key: catalogKey });
export const allPresetsResponse = animeEnvelope(
  z.array(presetView.extend({ sort_order: z.number(), is_active: z.boolean() })),
);
export const savePresetBody = z.object({
  name: z.string().trim().min(1).max(128),
  prompt: z.string().trim().min(1).max(2000),
  sort_order: z.number().int().min(0).max(100_000).optional(),
  is_active: z.boolean().optional(),
});
export const savePresetResponse = animeEnvelope(presetView);

/** MC per image (× batch_size), flat or by resolution (`1K`, `2K`, `4K`, `*`). */
export const imagePriceRule = z.union([
  z.object({ type: z.literal('flat'), credits: z.number() }),
  z.object({ type: z.literal('table'), table: z.record(z.string(), z.number()) }),
]);
/** Video price in MC: flat, or a `<resolution|mode|*>:<seconds|*>` table. */
export const videoPriceRule = imagePriceRule;
/** Who last set a model's price; null while the configured default applies. */
const priceSource = {
  price_source: z.enum(['default', 'custom']),
  price_updated_by: z.string().nullable(),
  price_updated_by_name: z.string().nullable(),
  price_updated_at: z.string().nullable(),
};
export const imageModelAdminView = z.object({
  model_uuid: z.string(),
  provider: z.enum(['jimeng', 'gemini']),
  is_default: z.boolean(),
  aspect_ratios: z.array(z.string()),
  resolutions: z.array(z.string()),
  max_batch_size: z.number(),
  max_reference_images: z.number(),
  price: imagePriceRule,
  ...priceSource,
});
export const videoModelAdminView = videoModelView.extend({
  /** The provider's model name per subtype. */
  upstream: z.object({ text_to_video: z.string(), image_to_video: z.string() }),
  estimated_seconds: z.number(),
  price: videoPriceRule,
  ...priceSource,
});
export const adminModelsResponse = animeEnvelope(
  z.object({ image: z.array(imageModelAdminView), video: z.array(videoModelAdminView) }),
);
export type AdminModelsResponse = z.infer<typeof adminModelsResponse>;
export const modelPriceParams = z.object({
  kind: z.enum(['image', 'video']),
  // Model ids contain slashes (wan/2.5): the client sends them URL-encoded.
  model_id: z.string().min(1).max(64),
});
export const setModelPriceBody = z.object({
  price: z.unknown().refine((value) => value !== undefined, 'price is required (null restores the default)'),
});
export const setModelPriceResponse = animeEnvelope(
  z.object({
    kind: z.enum(['image', 'video']),
    model_id: z.string(),
    price: imagePriceRule,
    ...priceSource,
  }),
);
export const priceChangesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const priceChangesResponse = animeEnvelope(
  z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['image', 'video']),
      model_id: z.string(),
      old_price: imagePriceRule.nullable(),
      new_price: imagePriceRule.nullable(),
      changed_by: z.string(),
      changed_by_name: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
);
export const userIdParams = z.object({ id: z.string().min(1).max(36) });
export const setPlanBody = z.object({ plan: z.enum(MEMBER_PLAN_NAMES) });
export const setPlanResponse = animeEnvelope(
  z.object({ user_id: z.string(), plan: z.enum(MEMBER_PLAN_NAMES) }),
);
export const planChangesQuery = z.object({
  user_id: z.string().max(36).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const planChangesResponse = animeEnvelope(
  z.array(
    z.object({
      id: z.string(),
      user_id: z.string(),
      old_plan: z.string(),
      new_plan: z.string(),
      changed_by: z.string(),
      changed_by_name: z.string().nullable(),
      created_at: z.string(),
    }),
  ),
);
export const allGenerationsQuery = animeHistoryQuery.extend({
  kind: z.enum(['image', 'video']).optional(),
  user_id: z.string().max(36).optional(),
});
export const allGenerationsResponse = animeHistoryResponse;

// ---- socket.io events of a task's room (`task:<uuid>`), as the bots read them ----
export const taskProgressEvent = z.object({
  taskId: z.string(),
  status: z.enum(['pending', 'processing']),
  progress: z.number().nullish(),
  message: z.string().nullish(),
  /** Jobs ahead of this one (0: it runs next). */
  queuePosition: z.number().nullish(),
  etaSeconds: z.number().nullish(),
});
export const taskOutputEvent = z.object({
  url: z.string(),
  width: z.number().nullish(),
  height: z.number().nullish(),
  mime: z.string().nullish(),
});
export const taskCompletedEvent = z.object({
  taskId: z.string(),
  status: z.literal('completed'),
  outputs: z.array(taskOutputEvent),
});
export const taskFailedEvent = z.object({
  taskId: z.string(),
  // A cancelled task is reported on the same event with its own status; both end the job.
  status: z.enum(['failed', 'cancelled']),
  error: z.object({ code: z.string(), message: z.string() }),
});
/** The acknowledgement of a socket `subscribe` to a room. */
export const subscribeAck = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }).optional() }),
]);
