import Router from '@koa/router';
import {
  actionStartedResponse,
  animeCreateTaskBody,
  animeCreateTaskResponse,
  animeHistoryQuery,
  animeHistoryResponse,
  animeOptimizePromptBody,
  animeQuoteBody,
  animeQuoteResponse,
  buildExtractPromptBody,
  buildExtractPromptResponse,
  cancelGenerationResponse,
  findGenerationsQuery,
  findGenerationsResponse,
  generationStatusResponse,
  generationUuidParams,
  imageActionBody,
  optimizePromptResponse,
  presetsQuery,
  presetsResponse,
  type GenerationStatus,
} from '@dreamloom/contracts';
import { isStaff, memberFacingFailure } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

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
    body: animeCreateTaskBody,
    response: animeCreateTaskResponse,
    handler: async (ctx, { body, actor }) => ok.anime(await ctx.core.anime.image.createTask(actor!, body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/optimize-prompt',
    tag: 'anime-generation',
    summary: 'Improve an image prompt with the LLM (structured output); LLM failures answer 502',
    role: 'user',
    body: animeOptimizePromptBody,
    response: optimizePromptResponse,
    handler: async (ctx, { body }) => ok.anime(await ctx.core.anime.prompts.optimize('image', body)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/build-extract-prompt',
    tag: 'anime-generation',
    summary:
      'Build a prompt from a stored template (TEMPLATE_NOT_FOUND 404, REQUIRED_FIELD_MISSING 400, LLM_BUILD_FAILED 502, PROMPT_EMPTY 500)',
    role: 'user',
    body: buildExtractPromptBody,
    response: buildExtractPromptResponse,
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
    body: animeQuoteBody,
    response: animeQuoteResponse,
    handler: async (ctx, { body }) => ok.anime(await ctx.core.anime.image.quote(body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/history',
    tag: 'anime-generation',
    summary: "The caller's generations, newest first, with their images and reusable settings",
    role: 'user',
    query: animeHistoryQuery,
    response: animeHistoryResponse,
    handler: async (ctx, { query, actor }) => ok.anime(await ctx.core.anime.image.history(actor!, query)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/presets',
    tag: 'anime-generation',
    summary: 'Style, scene, outfit and action presets (keys for the *_preset fields)',
    role: 'user',
    query: presetsQuery,
    response: presetsResponse,
    handler: async (ctx, { query }) => ok.anime(await ctx.core.anime.prompts.listPresets(query.kind)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/generation/find',
    tag: 'generation',
    summary:
      "Short ids: the caller's own generations (image or video) whose uuid starts with prefix (6-36 characters), newest first, at most 10; another member's generation is never found",
    role: 'user',
    query: findGenerationsQuery,
    response: findGenerationsResponse,
    handler: async (ctx, { query, actor }) => {
      const rows = await ctx.core.generation.findOwnByPrefix(actor!, query.prefix);
      return ok.anime({
        generations: rows.map((row) => ({
          generation_uuid: row.id,
          short_id: row.id.slice(0, 8),
          kind: row.kind,
          status: contractStatus(row.status),
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
    params: generationUuidParams,
    response: generationStatusResponse,
    handler: async (ctx, { params, actor }) => {
      // From the node's memory unless the task changed since (its events drop it): polls are cheap.
      const { view: task, facts } = await ctx.core.generation.getTaskWithFacts(actor!, params.uuid);
      const status = contractStatus(task.status);
      // Finished generations tell their owner which job card actions apply (bots draw the buttons).
      const finished = status === 'completed' || status === 'failed';
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
    params: generationUuidParams,
    response: actionStartedResponse,
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
    params: generationUuidParams,
    response: actionStartedResponse,
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
    params: generationUuidParams,
    response: actionStartedResponse,
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
    params: generationUuidParams,
    response: cancelGenerationResponse,
    handler: async (ctx, { params, actor }) =>
      ok.anime(await ctx.core.anime.cancels.cancel(actor!, params.uuid)),
  });
  return router;
}

/**
 * Contract 001's four statuses (`pending|processing|completed|failed`), as the history already
 * reads them: a batch some of whose images failed (`partial`) is completed with the images it has,
 * a cancelled generation failed.
 */
function contractStatus(status: string): GenerationStatus {
  if (status === 'cancelled') return 'failed';
  if (status === 'partial') return 'completed';
  return status as GenerationStatus;
}
