import Router from '@koa/router';
import { z } from 'zod';
import { UnauthorizedError, type Actor } from '@dreamloom/core';
import type { AppContext, AppContextExtras, AppState } from '../http/context.js';
import { storyId } from '../http/ids.js';
import { requestPipeline } from '../http/pipeline/index.js';

export function storyRouter() {
  const router = new Router<AppState, AppContextExtras>();
  // Contract 002's rate limit (pipeline/admission.ts), also run by the generate-response fast path.
  for (const stage of requestPipeline.storyRoute) router.use(stage);
  return router;
}

export function actorOf(actor: Actor | undefined): Actor {
  if (!actor) throw new UnauthorizedError('Not authenticated');
  return actor;
}

/** A contract 002 id in the path (`{id}`); malformed ids are a 400 before any query. */
export const idParam = z.object({ id: storyId });
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
