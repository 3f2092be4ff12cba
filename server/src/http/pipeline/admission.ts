import { AppError, type Core } from '@dreamloom/core';
import { familyOf } from '../envelopes.js';
import type { Exchange, Next } from './exchange.js';

// ---- contract 002 (story): per user, 100 requests a minute ----

/** Routes whose handler may run while the rate-limit verdict is on its way (see StoryRateLimit). */
const DEFERRED_VERDICT_PATHS = new Set(['/api/v1/story_chat/generate-response']);
/** How far below the limit this node must believe a user to be before it admits without waiting. */
const OPTIMISTIC_MARGIN = 10;
/** Users remembered before the ones whose window has ended are forgotten. */
const MAX_VIEWS = 50_000;

/** What this node last heard from Redis about one user's window, plus its own unanswered hits. */
interface WindowView {
  count: number;
  resetAt: number;
  pending: number;
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
 * One per server (on the request context), holding what this node last heard about each window.
 *
 * The Redis round trip used to precede every chat reply: with 50 replies arriving at once, each
 * waited for it behind the whole burst's request parsing, so the median upstream call left tens
 * of ms late. For the streaming reply (`deferrable`) of a user this node last saw well below the
 * limit, the handler now starts at once (its upstream request goes out) while the hit travels;
 * the verdict is awaited before the response is sent, and a refusal cancels the reply (stream
 * aborted, nothing stored) and answers 429 as before. Every request is still counted in Redis,
 * so the limit stays exact across nodes.
 */
export class StoryRateLimit {
  private readonly views = new Map<string, WindowView>();

  constructor(private readonly core: Core) {}

  /** Counts one request of `userId`; `headers` receives the X-RateLimit-* (and Retry-After) headers. */
  admit(userId: string, deferrable: boolean, headers: Pick<Exchange, 'set'>): RateLimitAdmission {
    const limit = this.core.config.STORY_RATE_LIMIT_PER_MIN;
    const view = this.views.get(userId);
    // hit() counts itself as pending before its first await, so the view below includes it.
    const verdict = this.hit(userId, limit, headers);
    const deferred = deferrable && clearlyUnder(view, limit, Date.now());
    // A failing handler is answered as before; the verdict's own rejection then has no one to tell.
    if (deferred) verdict.catch(() => undefined);
    return { verdict, deferred };
  }

  /** Counts the hit in Redis, remembers the answer, and rejects with 429 over the limit. */
  private async hit(userId: string, limit: number, headers: Pick<Exchange, 'set'>) {
    let view = this.views.get(userId);
    if (!view) {
      if (this.views.size >= MAX_VIEWS) this.prune();
      this.views.set(userId, (view = { count: 0, resetAt: 0, pending: 0 }));
    }
    view.pending += 1;
    let answer: { count: number; resetMs: number };
    try {
      answer = await this.core.story.store.hit(`story:${userId}`, 60_000);
    } finally {
      view.pending -= 1;
    }
    view.count = answer.count;
    view.resetAt = Date.now() + answer.resetMs;
    headers.set('X-RateLimit-Limit', String(limit));
    headers.set('X-RateLimit-Remaining', String(Math.max(0, limit - answer.count)));
    if (answer.count > limit) {
      headers.set('Retry-After', String(Math.ceil(answer.resetMs / 1000)));
      throw new AppError('RATE_LIMITED', 'Too many requests: 100 per minute', { status: 429 });
    }
  }

  /** Forgets users whose window has ended (their next request simply waits for Redis once). */
  private prune() {
    const now = Date.now();
    for (const [userId, view] of this.views)
      if (view.resetAt <= now && view.pending === 0) this.views.delete(userId);
  }
}

/** True when this node's last word from Redis leaves the user well below the limit. */
function clearlyUnder(view: WindowView | undefined, limit: number, now: number): boolean {
  if (!view) return false;
  const count = now >= view.resetAt ? 0 : view.count;
  return count + view.pending + 1 <= limit - OPTIMISTIC_MARGIN;
}

/**
 * Stage of the story routes (after the caller is known; anonymous callers pass to the route's own
 * 401). A deferred verdict is awaited after the handler; a refusal then cancels the reply it
 * opened and answers 429.
 */
export async function storyAdmission(x: Exchange, next: Next) {
  const actor = x.state.actor;
  if (!actor) return next();
  const admission = x.storyRateLimit.admit(actor.id, DEFERRED_VERDICT_PATHS.has(x.path), x);
  if (!admission.deferred) {
    await admission.verdict;
    return next();
  }
  await next();
  try {
    await admission.verdict;
  } catch (error) {
    x.state.cancelReply?.(error as Error);
    throw error;
  }
}

// ---- contract 004 (nanobanana): per client IP, a token bucket ----

/**
 * Token bucket in Redis, so every server node shares one budget per client: `rate` tokens per
 * second up to `burst`. Redis's own clock keeps nodes with skewed clocks consistent.
 * Returns 1 when the request may pass.
 */
const TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'ts', 'tokens')
local ts = tonumber(state[1]) or now
local tokens = tonumber(state[2]) or burst
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'ts', now, 'tokens', tostring(tokens))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed
`;

export class RateLimitedError extends AppError {
  constructor() {
    super('RATE_LIMITED', '请求过于频繁,请稍后再试', { status: 429 });
  }
}

/**
 * Stage: contract 004's limit, per client IP (`x.ip`: the peer address; X-Forwarded-For counts
 * only when TRUST_PROXY says a proxy sets it, and only the TRUST_PROXY_HOPS entries the proxies
 * appended). Other families pass untouched.
 */
export function nanobananaRateLimit(x: Exchange, next: Next) {
  // POST /api/v1/images/upload is contract 002's; the raw WebSocket is capped by connections instead;
  // health probes come from load balancers, which a limit would make mark a healthy node down.
  if (
    familyOf(x.path) !== 'nanobanana' ||
    x.path.startsWith('/api/v1/ws/') ||
    x.path === '/api/v1/health' ||
    x.path === '/api/v1/images/upload'
  )
    return next();
  return takeToken(x, next);
}

async function takeToken(x: Exchange, next: Next) {
  const { config, redis } = x.core;
  const key = `${config.REDIS_PREFIX}:ratelimit:nanobanana:${x.ip}`;
  const allowed = await redis.eval(
    TOKEN_BUCKET,
    1,
    key,
    String(config.NANOBANANA_RATE_PER_SEC),
    String(config.NANOBANANA_RATE_BURST),
  );
  if (Number(allowed) !== 1) {
    x.set('Retry-After', '1');
    throw new RateLimitedError();
  }
  return next();
}
