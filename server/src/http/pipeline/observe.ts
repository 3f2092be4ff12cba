import { UNMATCHED_ROUTE } from '@dreamloom/core';
import type { Exchange, Next } from './exchange.js';

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
 * Stage (the outermost, so every answer is timed and logged, refusals and errors included): the
 * latency histogram, labelled by the matched route's template (never the path), and one access
 * log line per request.
 */
export async function observe(x: Exchange, next: Next) {
  const started = performance.now();
  try {
    await next();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    const { logger, metrics } = x.core;
    metrics.http.observe(routeLabel(x), x.method, x.status, seconds);
    if (logger.isLevelEnabled('info')) {
      // Paths only: query strings may carry keywords or ids that are nobody's business in logs.
      // x.ip: the peer address, or X-Forwarded-For only from trusted proxies (TRUST_PROXY).
      const ms = Math.round(seconds * 1000);
      x.state.log.info({ method: x.method, path: x.path, ip: x.ip, status: x.status, ms }, 'request');
    }
  }
}

/** The route template @koa/router matched, a mount's label, or one label for everything else. */
export function routeLabel(x: Pick<Exchange, 'originalUrl' | '_matchedRoute'>) {
  if (typeof x._matchedRoute === 'string') return x._matchedRoute;
  // originalUrl: the admin's static middleware rewrites ctx.path while it serves a file.
  const path = x.originalUrl.split('?')[0];
  if (path === '/') return '/';
  for (const [prefix, label] of MOUNTS) if (path.startsWith(prefix)) return label;
  return UNMATCHED_ROUTE;
}
