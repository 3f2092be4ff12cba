import { nanobananaRateLimit, storyAdmission } from './admission.js';
import { authenticate } from './caller.js';
import { cors } from './cors.js';
import { errorBoundary } from './error-boundary.js';
import type { Stage } from './exchange.js';
import { rejectHostileBody, rejectHostileRequestLine } from './hostile-input.js';
import { observe } from './observe.js';
import { requestContext } from './request-context.js';

/**
 * The steps of a request, defined once: the Koa app mounts them (app.ts) and the generate-response
 * fast path runs them (generate-response.fast-path.ts), so a stage added to a group here applies to
 * both. Each group ends where a transport puts something of its own between them: Koa compresses
 * answers between `edge` and `guard` and serves media, the admin and its body parser between
 * `guard` and `caller`; the fast path reads its JSON body there. Outermost first.
 */
export const requestPipeline = {
  /** Every request: timed and logged, a request id, CORS (preflights are answered here). */
  edge: [observe, requestContext, cors],
  /** Every request: errors become the family's envelope from here in; hostile URLs; 004's rate limit. */
  guard: [errorBoundary, rejectHostileRequestLine, nanobananaRateLimit],
  /** Once the body is read: hostile bodies, then who is calling. */
  caller: [rejectHostileBody, authenticate],
  /** Before a story route's own steps (role, parsing, handler): contract 002's rate limit. */
  storyRoute: [storyAdmission],
} as const satisfies Record<string, readonly Stage[]>;

export { compose, type Exchange, type Next, type Stage } from './exchange.js';
export { StoryRateLimit, RateLimitedError } from './admission.js';
export { requireRole, resolveCaller, type Caller } from './caller.js';
export { errorBoundary } from './error-boundary.js';
export { requestIdOf, clientIp } from './request-context.js';
export { routeLabel } from './observe.js';
export { NodeExchange } from './node-exchange.js';
