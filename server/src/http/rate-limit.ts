import type { Next } from 'koa';
import { AppError } from '@dreamloom/core';
import type { AppContext } from './context.js';
import { familyOf } from './envelopes.js';

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
 * Contract 004's limit: per client IP. `ctx.ip` is the peer address; X-Forwarded-For counts only
 * when TRUST_PROXY says a proxy sets it (and only the TRUST_PROXY_HOPS entries the proxies appended).
 */
export async function nanobananaRateLimit(ctx: AppContext, next: Next) {
  // POST /api/v1/images/upload is contract 002's; the raw WebSocket is capped by connections instead;
  // health probes come from load balancers, which a limit would make mark a healthy node down.
  if (
    familyOf(ctx.path) !== 'nanobanana' ||
    ctx.path.startsWith('/api/v1/ws/') ||
    ctx.path === '/api/v1/health' ||
    ctx.path === '/api/v1/images/upload'
  )
    return next();
  const { config, redis } = ctx.core;
  const key = `${config.REDIS_PREFIX}:ratelimit:nanobanana:${ctx.ip}`;
  const allowed = await redis.eval(
    TOKEN_BUCKET,
    1,
    key,
    String(config.NANOBANANA_RATE_PER_SEC),
    String(config.NANOBANANA_RATE_BURST),
  );
  if (Number(allowed) !== 1) {
    ctx.set('Retry-After', '1');
    throw new RateLimitedError();
  }
  await next();
}
