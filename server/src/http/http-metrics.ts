import type { Next } from 'koa';
import { UNMATCHED_ROUTE, type Metrics } from '@dreamloom/core';
import type { AppContext } from './context.js';

/**
 * Paths served by middleware rather than a router, as one label each: the admin's files, the
 * queue monitor, media files. Longest prefix first.
 */
const MOUNTS: Array<[prefix: string, label: string]> = [
  ['/admin/queues', '/admin/queues/*'],
  ['/admin', '/admin/*'],
  ['/media/', '/media/*'],
];

/**
 * The latency histogram for every request through Koa (the first middleware, so rate-limit
 * refusals and errors are timed too). The label is the matched route's template, never the path.
 */
export function httpMetrics(metrics: Metrics['http']) {
  return async (ctx: AppContext, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observe(routeLabel(ctx), ctx.method, ctx.status, (performance.now() - started) / 1000);
    }
  };
}

/** The route template @koa/router matched, a mount's label, or one label for everything else. */
export function routeLabel(ctx: Pick<AppContext, 'originalUrl'> & { _matchedRoute?: string | RegExp }) {
  if (typeof ctx._matchedRoute === 'string') return ctx._matchedRoute;
  // originalUrl: the admin's static middleware rewrites ctx.path while it serves a file.
  const path = ctx.originalUrl.split('?')[0];
  if (path === '/') return '/';
  for (const [prefix, label] of MOUNTS) if (path.startsWith(prefix)) return label;
  return UNMATCHED_ROUTE;
}
