import Router from '@koa/router';
import {
  adminModelsResponse,
  allGenerationsQuery,
  allGenerationsResponse,
  allPresetsResponse,
  modelPriceParams,
  planChangesQuery,
  planChangesResponse,
  presetParams,
  presetsQuery,
  priceChangesQuery,
  priceChangesResponse,
  savePresetBody,
  savePresetResponse,
  saveTemplateBody,
  saveTemplateResponse,
  setModelPriceBody,
  setModelPriceResponse,
  setPlanBody,
  setPlanResponse,
  templateKeyParams,
  templatesResponse,
  userIdParams,
} from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/**
 * Staff catalog of contract 000: prompt templates (typed variables) and presets; the configured
 * models with their prices; every member's generations.
 */
export function animeAdminRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/templates',
    tag: 'anime-admin',
    summary: 'Staff: every prompt template of build-extract-prompt',
    role: 'staff',
    response: templatesResponse,
    handler: async (ctx) => ok.anime(await ctx.core.anime.prompts.listTemplates()),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/templates/:key',
    tag: 'anime-admin',
    summary: 'Staff: create or replace a prompt template',
    role: 'staff',
    params: templateKeyParams,
    body: saveTemplateBody,
    response: saveTemplateResponse,
    handler: async (ctx, { params, body }) =>
      ok.anime(await ctx.core.anime.prompts.saveTemplate(params.key, body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/presets',
    tag: 'anime-admin',
    summary: 'Staff: every style, scene, outfit and action preset, inactive ones included',
    role: 'staff',
    query: presetsQuery,
    response: allPresetsResponse,
    handler: async (ctx, { query }) => ok.anime(await ctx.core.anime.prompts.listAllPresets(query.kind)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/presets/:kind/:key',
    tag: 'anime-admin',
    summary: 'Staff: create or replace a style, scene, outfit or action preset',
    role: 'staff',
    params: presetParams,
    body: savePresetBody,
    response: savePresetResponse,
    handler: async (ctx, { params, body }) =>
      ok.anime(await ctx.core.anime.prompts.savePreset(params.kind, params.key, body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/models',
    tag: 'anime-admin',
    summary: 'Staff: the configured image and video models with their options and price rules',
    role: 'staff',
    response: adminModelsResponse,
    handler: async (ctx) => {
      const [image, sources] = await Promise.all([
        ctx.core.anime.image.listModels(),
        ctx.core.anime.prices.sources(),
      ]);
      return ok.anime({
        image,
        video: ctx.core.anime.video.listModels().map((model) => ({
          model_id: model.id,
          name: model.name,
          provider: model.provider,
          upstream: model.upstream,
          aspect_ratios: model.ratios,
          durations: model.durations,
          resolutions: model.resolutions,
          modes: model.modes,
          max_reference_images: model.maxReferenceImages,
          multi_shots: model.supportsMultiShots,
          estimated_seconds: model.estimatedSeconds,
          ...priceOf(sources.get(`video:${model.id}`), model.price),
        })),
      });
    },
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/models/:kind/:model_id/price',
    tag: 'anime-admin',
    summary:
      "Staff: set a model's price rule (image: MC per image by resolution 1K/2K/4K/*, × batch_size; video: <resolution|mode|*>:<seconds|*> table or flat); price null restores the configured default; every change is audited",
    role: 'staff',
    params: modelPriceParams,
    body: setModelPriceBody,
    response: setModelPriceResponse,
    handler: async (ctx, { params, body, actor }) =>
      ok.anime(
        await ctx.core.anime.prices.setPrice(actor!, {
          kind: params.kind,
          modelId: params.model_id,
          price: body.price,
        }),
      ),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/price-changes',
    tag: 'anime-admin',
    summary: 'Staff: the latest model price changes (who, when, before and after), newest first',
    role: 'staff',
    query: priceChangesQuery,
    response: priceChangesResponse,
    handler: async (ctx, { query, actor }) =>
      ok.anime(await ctx.core.anime.prices.changes(actor!, query.limit)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/users/:id/plan',
    tag: 'anime-admin',
    summary:
      "Staff: set a member's plan (free or pro; Pro may create private generations); kept in the plan changes. USER_NOT_FOUND 404, PLAN_NOT_APPLICABLE 409 for staff accounts",
    role: 'staff',
    params: userIdParams,
    body: setPlanBody,
    response: setPlanResponse,
    handler: async (ctx, { params, body, actor }) =>
      ok.anime(await ctx.core.anime.plans.setPlan(actor!, params.id, body.plan)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/plan-changes',
    tag: 'anime-admin',
    summary: 'Staff: the latest member plan changes (who, when, before and after), newest first',
    role: 'staff',
    query: planChangesQuery,
    response: planChangesResponse,
    handler: async (ctx, { query, actor }) =>
      ok.anime(await ctx.core.anime.plans.changes(actor!, query.user_id, query.limit)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/generations',
    tag: 'anime-admin',
    summary: "Staff: every member's image and video generations, newest first, with their media",
    role: 'staff',
    query: allGenerationsQuery,
    response: allGenerationsResponse,
    handler: async (ctx, { query, actor }) =>
      ok.anime(await ctx.core.anime.image.allGenerations(actor!, query)),
  });
  return router;
}

/** A video model's effective price and where it comes from (configured default or staff's rule). */
function priceOf(
  custom:
    | {
        rule: unknown;
        price_source: string;
        price_updated_by: string | null;
        price_updated_by_name: string | null;
        price_updated_at: string | null;
      }
    | undefined,
  configured: unknown,
) {
  return {
    price: custom?.rule ?? configured,
    price_source: custom?.price_source ?? 'default',
    price_updated_by: custom?.price_updated_by ?? null,
    price_updated_by_name: custom?.price_updated_by_name ?? null,
    price_updated_at: custom?.price_updated_at ?? null,
  };
}
