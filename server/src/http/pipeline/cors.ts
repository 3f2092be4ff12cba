import corsHandler from 'cors';
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
const MAX_AGE = 600;

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
 * Stage: CORS for /api/... when CORS_ORIGINS is set (otherwise nothing), by expressjs's `cors` on
 * the raw request and response, so Koa and the fast path answer alike. Preflights are answered here
 * (204), before rate limits and routes; other requests get the allow/expose headers, which stay on
 * error answers. An OPTIONS without Access-Control-Request-Method is not a preflight and goes on
 * like any request (as @koa/cors, which this replaced, did).
 */
export function cors(x: Exchange, next: Next) {
  const config = x.core.config;
  if (config.CORS_ORIGINS.length === 0 || !x.path.startsWith('/api/')) return next();
  appendVary(x, 'Origin');
  // Built per request (a closure and an options object) rather than kept in module state; `cors`
  // calls back synchronously, since its origin function answers at once.
  corsHandler({
    origin: (origin, done) => done(null, allowedOrigin(config, x.path, origin ?? '') || false),
    methods: ALLOW_METHODS,
    allowedHeaders: ALLOW_HEADERS,
    exposedHeaders: EXPOSE_HEADERS,
    maxAge: MAX_AGE,
    // This stage decides what a preflight is and answers it (below).
    preflightContinue: true,
  })(x.req, x.res, () => undefined);
  const preflight = x.method === 'OPTIONS' && x.get('access-control-request-method') !== '';
  if (!preflight || !x.res.hasHeader('Access-Control-Allow-Origin')) return next();
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
