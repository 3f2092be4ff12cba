import Router from '@koa/router';
import { z } from 'zod';
import { AppError, ForbiddenError, hasRole } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;

const createTaskBody = z.object({
  gen_type: z.literal('anime'),
  prompt: z.string().trim().min(1, 'prompt is required').max(2000),
  aspect_ratio: z.enum(RATIOS).default('1:1'),
  image_resolution: z
    .string()
    .regex(/^[124][kK]$/, 'image_resolution must be 1K, 2K or 4K')
    .default('2K'),
  model_uuid: z.string().max(64).optional(),
  batch_size: z.number().int().min(1).max(4).default(1),
  visibility_level: z.enum(['public', 'private']).default('public'),
  style_preset: z.string().optional(),
  scene_preset: z.string().optional(),
  outfit_preset: z.string().optional(),
  action_preset: z.string().optional(),
  character_uuids: z.array(z.string()).optional(),
  reference_image_urls: z.array(z.string()).optional(),
});

/** Fields of contract 000 whose catalogs (presets, characters, safe reference fetching) come with its own issue. */
const NOT_YET_SUPPORTED = [
  'style_preset',
  'scene_preset',
  'outfit_preset',
  'action_preset',
  'character_uuids',
  'reference_image_urls',
] as const;

/** Contract 000 create-task (anime, text-to-image through the Jimeng pool) and 001's unified status. */
export function animeGenerationRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/anime-generation/create-task',
    tag: 'anime-generation',
    summary: 'Create an image generation task',
    role: 'user',
    body: createTaskBody,
    handler: async (ctx, { body, actor }) => {
      for (const field of NOT_YET_SUPPORTED) {
        const value = body[field];
        if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
          throw new AppError('UNSUPPORTED_FIELD', `${field} is not supported by this server yet`, {
            status: 400,
          });
        }
      }
      if (body.visibility_level === 'private' && !hasRole(actor!, 'pro')) {
        throw new ForbiddenError('Private generations need a Pro membership');
      }
      const model = body.model_uuid && /^jimeng-[0-9.]+$/.test(body.model_uuid) ? body.model_uuid : undefined;
      if (body.model_uuid && !model)
        throw new AppError('MODEL_NOT_FOUND', `Unknown model ${body.model_uuid}`, { status: 400 });
      const task = await ctx.core.generation.createImageTask(actor!, {
        source: 'anime',
        prompt: body.prompt,
        model,
        count: body.batch_size,
        visibility: body.visibility_level,
        params: {
          ratio: body.aspect_ratio,
          resolution: body.image_resolution.toLowerCase(),
          request: { ...body },
        },
      });
      return ok.anime({ generation_uuid: task.id, status: 'pending' });
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
      const task = await ctx.core.generation.getTask(actor!, params.uuid);
      const status = task.status === 'cancelled' ? 'failed' : task.status;
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
        error_message: task.errorMessage && (status === 'failed' ? task.errorMessage : null),
        credits_used: task.creditsUsed,
      };
    },
  });
  return router;
}
