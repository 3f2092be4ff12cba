import Router from '@koa/router';
import { z } from 'zod';
import { isStaff, memberFacingFailure } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;

/**
 * Contract 000 create-task (anime and action_figure). No defaults here: a reuse (`gen_image_id`)
 * takes every field not given from the earlier generation, and the service applies defaults after.
 */
const createTaskBody = z.object({
  gen_type: z.enum(['anime', 'action_figure']).optional(),
  prompt: z.string().trim().max(2000).optional(),
  template_id: z.string().max(64).optional(),
  template_prompt: z.string().max(2000).optional(),
  user_prompt: z.string().max(2000).optional(),
  aspect_ratio: z.enum(RATIOS).optional(),
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

/** Which output of a generation a variation or upscale starts from. */
const imageActionBody = z.object({ image_index: z.number().int().min(0).max(9) });

const optimizeBody = z.object({
  prompt: z.string().trim().min(1, 'prompt is required').max(4000),
  style: z.string().max(200).optional(),
  scene: z.string().max(200).optional(),
  outfit: z.string().max(200).optional(),
});

const buildBody = z.object({
  template_key: z.string().trim().min(1, 'template_key is required').max(64),
  template_params: z.record(z.string(), z.unknown()).default({}),
  use_llm_build: z.boolean().default(true),
});

/** Contract 000 (anime images) and 001's unified status. */
export function animeGenerationRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/create-task',
    tag: 'anime-generation',
    summary:
      'Create an image generation task (presets, own characters, safe reference images, reuse); charged the quote; 429 TOO_MANY_JOBS_IN_FLIGHT or DAILY_QUOTA_EXCEEDED over the member limits',
    role: 'user',
    body: createTaskBody,
    handler: async (ctx, { body, actor }) => ok.anime(await ctx.core.anime.image.createTask(actor!, body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/optimize-prompt',
    tag: 'anime-generation',
    summary: 'Improve an image prompt with the LLM (structured output); LLM failures answer 502',
    role: 'user',
    body: optimizeBody,
    handler: async (ctx, { body }) => ok.anime(await ctx.core.anime.prompts.optimize('image', body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/build-extract-prompt',
    tag: 'anime-generation',
    summary:
      'Build a prompt from a stored template (TEMPLATE_NOT_FOUND 404, REQUIRED_FIELD_MISSING 400, LLM_BUILD_FAILED 502, PROMPT_EMPTY 500)',
    role: 'user',
    body: buildBody,
    handler: async (ctx, { body }) =>
      ok.anime(
        await ctx.core.anime.prompts.buildFromTemplate({
          templateKey: body.template_key,
          params: body.template_params,
          useLlm: body.use_llm_build,
        }),
      ),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/quote',
    tag: 'anime-generation',
    summary:
      'Price of an image request (addition to contract 000): per-image price of the model and resolution × batch_size; create-task charges the same',
    role: 'user',
    body: z.object({
      model_uuid: z.string().max(64).optional(),
      image_resolution: createTaskBody.shape.image_resolution,
      batch_size: createTaskBody.shape.batch_size,
    }),
    handler: async (ctx, { body }) => ok.anime(await ctx.core.anime.image.quote(body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/history',
    tag: 'anime-generation',
    summary: "The caller's generations, newest first, with their images and reusable settings",
    role: 'user',
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      status: z.enum(['completed', 'failed', 'pending', 'processing']).optional(),
    }),
    handler: async (ctx, { query, actor }) => ok.anime(await ctx.core.anime.image.history(actor!, query)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/presets',
    tag: 'anime-generation',
    summary: 'Style, scene, outfit and action presets (keys for the *_preset fields)',
    role: 'user',
    query: z.object({ kind: z.enum(['style', 'scene', 'outfit', 'action']).optional() }),
    handler: async (ctx, { query }) => ok.anime(await ctx.core.anime.prompts.listPresets(query.kind)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/generation/find',
    tag: 'generation',
    summary:
      "Short ids: the caller's own generations (image or video) whose uuid starts with prefix (6-36 characters), newest first, at most 10; another member's generation is never found",
    role: 'user',
    query: z.object({
      prefix: z
        .string()
        .trim()
        .toLowerCase()
        .regex(
          /^[0-9a-f-]{6,36}$/,
          'prefix must be 6 to 36 characters of a generation id (hex digits and "-")',
        ),
    }),
    handler: async (ctx, { query, actor }) => {
      const rows = await ctx.core.generation.findOwnByPrefix(actor!, query.prefix);
      return ok.anime({
        generations: rows.map((row) => ({
          generation_uuid: row.id,
          short_id: row.id.slice(0, 8),
          kind: row.kind,
          status: row.status === 'cancelled' ? 'failed' : row.status,
          prompt: row.prompt,
          created_at: new Date(row.created_at).toISOString(),
        })),
      });
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/generation/status/:uuid',
    tag: 'generation',
    summary: 'Status of any generation (image or video); bare JSON as contract 001 documents',
    role: 'user',
    params: z.object({ uuid: z.uuid() }),
    handler: async (ctx, { params, actor }) => {
      // From the node's memory unless the task changed since (its events drop it): polls are cheap.
      const { view: task, facts } = await ctx.core.generation.getTaskWithFacts(actor!, params.uuid);
      const status = task.status === 'cancelled' ? 'failed' : task.status;
      // Finished generations tell their owner which job card actions apply (bots draw the buttons).
      const finished = status === 'completed' || status === 'failed' || status === 'partial';
      const actions = finished ? ctx.core.anime.actions.availableFor(actor!, facts, true) : undefined;
      // "Errors: 统一英文": a stable English code and message; the provider's text is for staff only.
      const failure = status === 'failed' ? memberFacingFailure(task.errorCode) : null;
      return {
        uuid: task.id,
        status,
        progress: task.progress,
        queue_position: task.queuePosition,
        results: task.outputs.map((output) => ({
          image_url: output.url,
          thumbnail_url: output.thumbnailUrl,
          width: output.width,
          height: output.height,
          mime: output.mime,
        })),
        error_code: failure?.code ?? null,
        error_message: failure?.message ?? null,
        ...(isStaff(actor!) ? { error_detail: failure ? task.errorMessage : null } : {}),
        credits_used: task.creditsUsed,
        ...(actions ? { actions } : {}),
      };
    },
  });
  registry.add(router, {
    method: 'post',
    path: '/api/generation/reroll/:uuid',
    tag: 'generation',
    summary:
      "Run one of the caller's own image or video generations again with every stored setting (charged like create-task); GENERATION_NOT_FOUND 404",
    role: 'user',
    params: z.object({ uuid: z.uuid() }),
    handler: async (ctx, { params, actor }) =>
      ok.anime(await ctx.core.anime.actions.reroll(actor!, params.uuid)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/variation/:uuid',
    tag: 'anime-generation',
    summary:
      "A new generation with the same settings plus output image_index (0-based) of the caller's generation as a reference; IMAGE_NOT_FOUND 404",
    role: 'user',
    params: z.object({ uuid: z.uuid() }),
    body: imageActionBody,
    handler: async (ctx, { params, body, actor }) =>
      ok.anime(await ctx.core.anime.actions.variation(actor!, params.uuid, body.image_index)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/upscale/:uuid',
    tag: 'anime-generation',
    summary:
      'One 4K image from output image_index (0-based) as the reference, same settings; UPSCALE_NOT_SUPPORTED 400 for models without 4K or 4K sources',
    role: 'user',
    params: z.object({ uuid: z.uuid() }),
    body: imageActionBody,
    handler: async (ctx, { params, body, actor }) =>
      ok.anime(await ctx.core.anime.actions.upscale(actor!, params.uuid, body.image_index)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/generation/cancel/:uuid',
    tag: 'generation',
    summary:
      "Cancel one of the caller's own generations while pending or processing (refunded through the ledger); TASK_NOT_FOUND 404, NOT_CANCELLABLE 409",
    role: 'user',
    params: z.object({ uuid: z.uuid() }),
    handler: async (ctx, { params, actor }) =>
      ok.anime(await ctx.core.anime.cancels.cancel(actor!, params.uuid)),
  });
  return router;
}
