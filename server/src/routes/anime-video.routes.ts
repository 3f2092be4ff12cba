import Router from '@koa/router';
import {
  optimizePromptResponse,
  videoCreateTaskBody,
  videoCreateTaskResponse,
  videoModelsResponse,
  videoOptimizePromptBody,
  videoQuoteBody,
  videoQuoteResponse,
  webhookBody,
  webhookQuery,
  webhookResponse,
} from '@dreamloom/contracts';
import { AppError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

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
    body: videoCreateTaskBody,
    response: videoCreateTaskResponse,
    handler: async (ctx, { body, actor }) => ok.anime(await ctx.core.anime.video.createTask(actor!, body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-video/quote',
    tag: 'anime-video',
    summary: 'Price of a video generation in MC (bare JSON as contract 001 documents; charges nothing)',
    role: 'user',
    body: videoQuoteBody,
    response: videoQuoteResponse,
    handler: (ctx, { body }) => ctx.core.anime.video.quote(body),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-video/optimize-prompt',
    tag: 'anime-video',
    summary: 'Improve a video prompt with the LLM (structured output); LLM failures answer 502',
    role: 'user',
    body: videoOptimizePromptBody,
    response: optimizePromptResponse,
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
    response: videoModelsResponse,
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
    query: webhookQuery,
    body: webhookBody,
    response: webhookResponse,
    handler: async (ctx, { body, query }) => {
      if (query.provider !== 'kie')
        throw new AppError('UNKNOWN_PROVIDER', 'Unknown provider', { status: 400 });
      const result = await ctx.core.engine.callback(query.provider, body, {
        signature: ctx.get('x-webhook-signature') || undefined,
        timestamp: ctx.get('x-webhook-timestamp') || undefined,
      });
      return ok.anime({ received: true, known: result.known, finished: result.finished });
    },
  });
  return router;
}
