import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMetricsRequest, serveMetrics, type Core } from '@dreamloom/core';

/**
 * `GET /metrics` on the server's port, beside Koa (like the generate-response fast path): no rate
 * limit, CORS or session applies to a scraper, and the scrape is not itself in the histogram.
 * Served only when METRICS_TOKEN is set, and then only with it as a bearer token: the port is
 * public, and the metrics are not. Without it the path falls through to Koa (404).
 *
 * Returns false when the request is not a scrape this server answers.
 */
export function metricsEndpoint(core: Core) {
  const token = core.config.METRICS_TOKEN;
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (token === undefined || !isMetricsRequest(req)) return false;
    void serveMetrics(core.metrics.registry, token, req, res);
    return true;
  };
}
