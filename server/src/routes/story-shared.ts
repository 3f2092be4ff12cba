import Router from '@koa/router';
import type { Next } from 'koa';
import { z } from 'zod';
import { AppError, UnauthorizedError, type Actor } from '@dreamloom/core';
import type { AppContext, AppContextExtras, AppState } from '../http/context.js';

/** Contract 002: 100 requests per minute per user (fixed window in Redis, shared by all nodes). */
export async function storyRateLimit(ctx: AppContext, next: Next) {
  const actor = ctx.state.actor;
  if (actor) {
    const limit = ctx.core.config.STORY_RATE_LIMIT_PER_MIN;
    const { count, resetMs } = await ctx.core.story.store.hit(`story:${actor.id}`, 60_000);
    ctx.set('X-RateLimit-Limit', String(limit));
    ctx.set('X-RateLimit-Remaining', String(Math.max(0, limit - count)));
    if (count > limit) {
      ctx.set('Retry-After', String(Math.ceil(resetMs / 1000)));
      throw new AppError('RATE_LIMITED', 'Too many requests: 100 per minute', { status: 429 });
    }
  }
  await next();
}

export function storyRouter() {
  const router = new Router<AppState, AppContextExtras>();
  router.use(storyRateLimit);
  return router;
}

export function actorOf(actor: Actor | undefined): Actor {
  if (!actor) throw new UnauthorizedError('Not authenticated');
  return actor;
}

export const idParam = z.object({ id: z.string().min(1).max(64) });
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
export const statusQuery = z.object({ status: z.enum(['active', 'inactive']).optional() });

/** DELETE answers 204 with no body. */
export function noContent(ctx: AppContext) {
  ctx.status = 204;
  ctx.body = null;
  return undefined;
}
