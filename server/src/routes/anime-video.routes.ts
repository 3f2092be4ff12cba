import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

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

const createTaskBody = z.object({
  ...videoFields,
  prompt: z.string().trim().min(1, 'prompt is required').max(5000),
  motion: z.string().max(200).optional(),
  style_preset: z.string().max(100).optional(),
  character_uuid: z.string().max(64).optional(),
  visibility_level: z.enum(['public', 'private']).default('public'),
});

const quoteBody = z.object({ ...videoFields, prompt: z.string().max(5000).optional() });

/** Contract 001: video create-task and quote, and the unified provider webhook. */
export function animeVideoRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/anime-video/create-task',
    tag: 'anime-video',
    summary:
      'Create a video generation task (charged in MC when created, refunded if it fails); 429 TOO_MANY_JOBS_IN_FLIGHT or DAILY_QUOTA_EXCEEDED over the member limits',
    role: 'user',
    body: createTaskBody,
    handler: async (ctx, { body, actor }) => ok.anime(await ctx.core.anime.video.createTask(actor!, body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-video/quote',
    tag: 'anime-video',
    summary: 'Price of a video generation in MC (bare JSON as contract 001 documents; charges nothing)',
    role: 'user',
    body: quoteBody,
    handler: (ctx, { body }) => ctx.core.anime.video.quote(body),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-video/optimize-prompt',
    tag: 'anime-video',
    summary: 'Improve a video prompt with the LLM (structured output); LLM failures answer 502',
    role: 'user',
    body: z.object({
      prompt: z.string().trim().min(1, 'prompt is required').max(5000),
      style: z.string().max(200).optional(),
      duration: z.union([z.string().max(16), z.number()]).optional(),
    }),
    handler: async (ctx, { body }) =>
      ok.anime(
        await ctx.core.anime.prompts.optimize('video', {
          prompt: body.prompt,
          style: body.style,
          duration: body.duration === undefined ? undefined : String(body.duration),
        }),
      ),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-video/models',
    tag: 'anime-video',
    summary: 'The configured video models with their ratios, durations, resolutions and modes',
    role: 'user',
    handler: (ctx) =>
      ok.anime(
        ctx.core.anime.video.listModels().map((model) => ({
          model_id: model.id,
          name: model.name,
          provider: model.provider,
          aspect_ratios: model.ratios,
          durations: model.durations,
          resolutions: model.resolutions,
          modes: model.modes,
          max_reference_images: model.maxReferenceImages,
          multi_shots: model.supportsMultiShots,
        })),
      ),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/generation/webhook',
    tag: 'generation',
    summary:
      'Provider callbacks (kie.ai): signature checked when a key is configured; idempotent; unknown tasks change nothing',
    query: z.object({ provider: z.enum(['kie']).default('kie') }),
    body: z.record(z.string(), z.unknown()),
    handler: async (ctx, { body, query }) => {
      if (query.provider !== 'kie')
        throw new AppError('UNKNOWN_PROVIDER', 'Unknown provider', { status: 400 });
      const result = await ctx.core.anime.kieRunner.handleCallback(body, {
        signature: ctx.get('x-webhook-signature') || undefined,
        timestamp: ctx.get('x-webhook-timestamp') || undefined,
      });
      return ok.anime({ received: true, known: result.known, finished: result.finished });
    },
  });
  return router;
}
