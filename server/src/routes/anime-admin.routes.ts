import Router from '@koa/router';
import { z } from 'zod';
import { MEMBER_PLANS } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'keys are lower-case letters, digits, dot, dash or underscore');
const presetKind = z.enum(['style', 'scene', 'outfit', 'action']);

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
    handler: async (ctx) => ok.anime(await ctx.core.anime.prompts.listTemplates()),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/templates/:key',
    tag: 'anime-admin',
    summary: 'Staff: create or replace a prompt template',
    role: 'staff',
    params: z.object({ key }),
    body: z.object({
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
    }),
    handler: async (ctx, { params, body }) =>
      ok.anime(await ctx.core.anime.prompts.saveTemplate(params.key, body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/presets',
    tag: 'anime-admin',
    summary: 'Staff: every style, scene, outfit and action preset, inactive ones included',
    role: 'staff',
    query: z.object({ kind: presetKind.optional() }),
    handler: async (ctx, { query }) => ok.anime(await ctx.core.anime.prompts.listAllPresets(query.kind)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/anime-generation/admin/presets/:kind/:key',
    tag: 'anime-admin',
    summary: 'Staff: create or replace a style, scene, outfit or action preset',
    role: 'staff',
    params: z.object({ kind: presetKind, key }),
    body: z.object({
      name: z.string().trim().min(1).max(128),
      prompt: z.string().trim().min(1).max(2000),
      sort_order: z.number().int().min(0).max(100_000).optional(),
      is_active: z.boolean().optional(),
    }),
    handler: async (ctx, { params, body }) =>
      ok.anime(await ctx.core.anime.prompts.savePreset(params.kind, params.key, body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/models',
    tag: 'anime-admin',
    summary: 'Staff: the configured image and video models with their options and price rules',
    role: 'staff',
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
    params: z.object({
      kind: z.enum(['image', 'video']),
      // Model ids contain slashes (wan/2.5): the client sends them URL-encoded.
      model_id: z.string().min(1).max(64),
    }),
    body: z.object({
      price: z
        .unknown()
        .refine((value) => value !== undefined, 'price is required (null restores the default)'),
    }),
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
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
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
    params: z.object({ id: z.string().min(1).max(36) }),
    body: z.object({ plan: z.enum(MEMBER_PLANS) }),
    handler: async (ctx, { params, body, actor }) =>
      ok.anime(await ctx.core.anime.plans.setPlan(actor!, params.id, body.plan)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/plan-changes',
    tag: 'anime-admin',
    summary: 'Staff: the latest member plan changes (who, when, before and after), newest first',
    role: 'staff',
    query: z.object({
      user_id: z.string().max(36).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async (ctx, { query, actor }) =>
      ok.anime(await ctx.core.anime.plans.changes(actor!, query.user_id, query.limit)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/anime-generation/admin/generations',
    tag: 'anime-admin',
    summary: "Staff: every member's image and video generations, newest first, with their media",
    role: 'staff',
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      status: z.enum(['completed', 'failed', 'pending', 'processing']).optional(),
      kind: z.enum(['image', 'video']).optional(),
      user_id: z.string().max(36).optional(),
    }),
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
