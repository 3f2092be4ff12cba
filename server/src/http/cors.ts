import type { ServerResponse } from 'node:http';
import cors from '@koa/cors';
import type { Middleware } from 'koa';
import type { AppConfig } from '@dreamloom/core';
import type { AppContextExtras, AppState } from './context.js';

/** Request headers a cross-origin caller may send (bearer or bot credential, JSON, request id). */
const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Request-Id',
  'X-Platform',
  'X-Platform-User-Id',
  'X-Platform-Username',
];
/** Response headers a cross-origin caller may read (downloads name their file; 429s say when to retry). */
export const EXPOSE_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'Content-Disposition',
].join(',');

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

/** Koa CORS for /api/... (preflights answered here, before rate limits or routes); none when unconfigured. */
export function apiCors(config: AppConfig): Middleware<AppState, AppContextExtras> {
  if (config.CORS_ORIGINS.length === 0) return (_ctx, next) => next();
  const middleware = cors({
    origin: (ctx) => allowedOrigin(config, ctx.path, ctx.get('origin')),
    allowMethods: 'GET,HEAD,PUT,POST,DELETE,PATCH',
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
  return (ctx, next) => (ctx.path.startsWith('/api/') ? middleware(ctx, next) : next());
}

/** The same headers on a response written outside Koa (the generate-response fast path). */
export function setCorsHeaders(config: AppConfig, path: string, origin: string, res: ServerResponse) {
  if (config.CORS_ORIGINS.length === 0) return;
  res.setHeader('Vary', 'Origin');
  const allowed = allowedOrigin(config, path, origin);
  if (!allowed) return;
  res.setHeader('Access-Control-Allow-Origin', allowed);
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
}
