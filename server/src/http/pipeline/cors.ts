import type { AppConfig } from '@dreamloom/core';
import type { Exchange, Next } from './exchange.js';

/** Request headers a cross-origin caller may send (bearer or bot credential, JSON, request id). */
const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Request-Id',
  'X-Platform',
  'X-Platform-User-Id',
  'X-Platform-Username',
].join(',');
const ALLOW_METHODS = 'GET,HEAD,PUT,POST,DELETE,PATCH';
/** Response headers a cross-origin caller may read (downloads name their file; 429s say when to retry). */
export const EXPOSE_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'Content-Disposition',
].join(',');
/** How long a browser may keep a preflight's answer (seconds). */
const MAX_AGE = '600';

/**
 * The Access-Control-Allow-Origin value for a request from `origin` to `path`, or '' when none is
 * due: only the public contract APIs (/api/...) answer cross-origin, only for CORS_ORIGINS (or `*`).
 * Bearer and bot credentials travel in headers, never cookies, so credentials are not allowed.
 */
export function allowedOrigin(config: AppConfig, path: string, origin: string): string {
  if (!path.startsWith('/api/') || config.CORS_ORIGINS.length === 0) return '';
  if (config.CORS_ORIGINS.includes('*')) return '*';
  return origin && config.CORS_ORIGINS.includes(origin) ? origin : '';
}

/**
 * Stage: CORS for /api/... when CORS_ORIGINS is set (otherwise nothing). Preflights are answered
 * here (204), before rate limits and routes; other requests get the allow/expose headers, which
 * stay on error answers. What @koa/cors did with these options, written for both transports.
 */
export function cors(x: Exchange, next: Next) {
  const config = x.core.config;
  if (config.CORS_ORIGINS.length === 0 || !x.path.startsWith('/api/')) return next();
  appendVary(x, 'Origin');
  const origin = allowedOrigin(config, x.path, x.get('origin'));
  if (!origin) return next();
  if (x.method !== 'OPTIONS') {
    x.set('Access-Control-Allow-Origin', origin);
    x.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    return next();
  }
  // OPTIONS without Access-Control-Request-Method is not a preflight: it goes on like any request.
  if (!x.get('access-control-request-method')) return next();
  x.set('Access-Control-Allow-Origin', origin);
  x.set('Access-Control-Max-Age', MAX_AGE);
  x.set('Access-Control-Allow-Methods', ALLOW_METHODS);
  x.set('Access-Control-Allow-Headers', ALLOW_HEADERS);
  x.status = 204;
  return undefined;
}

/** Adds `field` to the Vary header (Koa's ctx.vary, for either transport). */
function appendVary(x: Exchange, field: string) {
  const current = x.res.getHeader('Vary');
  if (current === undefined || current === '') return x.set('Vary', field);
  const text = Array.isArray(current) ? current.join(', ') : String(current);
  if (text === '*' || text.split(/\s*,\s*/).some((name) => name.toLowerCase() === field.toLowerCase()))
    return;
  x.set('Vary', `${text}, ${field}`);
}
