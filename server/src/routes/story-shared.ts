import Router from '@koa/router';
import type { Next } from 'koa';
import { z } from 'zod';
import { AppError, UnauthorizedError, type Actor, type Core } from '@dreamloom/core';
import type { AppContext, AppContextExtras, AppState } from '../http/context.js';
import { storyId } from '../http/ids.js';

/** Routes whose handler may run while the rate-limit verdict is on its way (see storyRateLimit). */
const DEFERRED_VERDICT_PATHS = new Set(['/api/v1/story_chat/generate-response']);
/** How far below the limit this node must believe a user to be before it admits without waiting. */
const OPTIMISTIC_MARGIN = 10;

/** What this node last heard from Redis about one user's window, plus its own unanswered hits. */
interface WindowView {
  count: number;
  resetAt: number;
  pending: number;
}
const views = new WeakMap<object, Map<string, WindowView>>();

function viewsOf(core: object): Map<string, WindowView> {
  let map = views.get(core);
  if (!map) views.set(core, (map = new Map()));
  return map;
}

/** True when this node's last word from Redis leaves the user well below the limit. */
function clearlyUnder(view: WindowView | undefined, limit: number, now: number): boolean {
  if (!view) return false;
  const count = now >= view.resetAt ? 0 : view.count;
  return count + view.pending + 1 <= limit - OPTIMISTIC_MARGIN;
}

/** How a request stands with the rate limit: `verdict` settles when Redis has counted it. */
export interface RateLimitAdmission {
  /** Rejects with 429 when the request is over the limit. */
  verdict: Promise<void>;
  /** True when the handler may run before the verdict (the caller awaits it before answering). */
  deferred: boolean;
}

/**
 * Contract 002: 100 requests per minute per user (fixed window in Redis, shared by all nodes).
 *
 * The Redis round trip used to precede every chat reply: with 50 replies arriving at once, each
 * waited for it behind the whole burst's request parsing, so the median upstream call left tens
 * of ms late. For the streaming reply (`deferrable`) of a user this node last saw well below the
 * limit, the handler now starts at once (its upstream request goes out) while the hit travels;
 * the verdict is awaited before the response is sent, and a refusal cancels the reply (stream
 * aborted, nothing stored) and answers 429 as before. Every request is still counted in Redis,
 * so the limit stays exact across nodes. `setHeader` receives the X-RateLimit-* headers.
 */
export function admitStoryRequest(
  core: Core,
  userId: string,
  deferrable: boolean,
  setHeader: (name: string, value: string) => void,
): RateLimitAdmission {
  const limit = core.config.STORY_RATE_LIMIT_PER_MIN;
  const known = viewsOf(core);
  const view = known.get(userId);
  const verdict = hitWindow(core, known, userId, limit, setHeader);
  const deferred = deferrable && clearlyUnder(view, limit, Date.now());
  // A failing handler is answered as before; the verdict's own rejection then has no one to tell.
  if (deferred) verdict.catch(() => undefined);
  return { verdict, deferred };
}

/** The Koa form of {@link admitStoryRequest} for every story route. */
export async function storyRateLimit(ctx: AppContext, next: Next) {
  const actor = ctx.state.actor;
  if (!actor) return next();
  const admission = admitStoryRequest(
    ctx.core,
    actor.id,
    DEFERRED_VERDICT_PATHS.has(ctx.path),
    (name, value) => ctx.set(name, value),
  );
  if (!admission.deferred) {
    await admission.verdict;
    return next();
  }
  await next();
  try {
    await admission.verdict;
  } catch (error) {
    ctx.state.cancelReply?.(error as Error);
    throw error;
  }
}

/** Counts the hit in Redis, remembers the answer, and rejects with 429 over the limit. */
async function hitWindow(
  core: Core,
  known: Map<string, WindowView>,
  userId: string,
  limit: number,
  setHeader: (name: string, value: string) => void,
) {
  let view = known.get(userId);
  if (!view) {
    if (known.size >= 50_000) pruneViews(known);
    known.set(userId, (view = { count: 0, resetAt: 0, pending: 0 }));
  }
  view.pending += 1;
  let answer: { count: number; resetMs: number };
  try {
    answer = await core.story.store.hit(`story:${userId}`, 60_000);
  } finally {
    view.pending -= 1;
  }
  view.count = answer.count;
  view.resetAt = Date.now() + answer.resetMs;
  setHeader('X-RateLimit-Limit', String(limit));
  setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - answer.count)));
  if (answer.count > limit) {
    setHeader('Retry-After', String(Math.ceil(answer.resetMs / 1000)));
    throw new AppError('RATE_LIMITED', 'Too many requests: 100 per minute', { status: 429 });
  }
}

/** Forgets users whose window has ended (their next request simply waits for Redis once). */
function pruneViews(known: Map<string, WindowView>) {
  const now = Date.now();
  for (const [userId, view] of known) if (view.resetAt <= now && view.pending === 0) known.delete(userId);
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
