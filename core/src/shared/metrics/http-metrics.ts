import { Histogram, type Registry } from 'prom-client';

/** Methods kept as their own label value; any other (a client can send anything) is `OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Seconds. Most API answers take milliseconds; event streams (story chat replies) and uploads
 * take seconds, so the buckets run from 5 ms to 30 s.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The label for a request no route claimed (404s, scanners): one series, whatever the path. */
export const UNMATCHED_ROUTE = '(unmatched)';

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/**
 * HTTP latency by route *template* (`/api/generation/status/:uuid`), method and status class.
 * Never the raw path: every id would become a series of its own and swamp Prometheus.
 */
export function createHttpMetrics(registry: Registry) {
  const duration = new Histogram({
    name: 'dreamloom_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status class (2xx, 4xx, ...)',
    labelNames: ['route', 'method', 'status_class'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    duration,
    /** Records one answered request; `route` must be a template or a fixed label, never a raw path. */
    observe(route: string, method: string, status: number, seconds: number): void {
      duration.observe(
        { route, method: KNOWN_METHODS.has(method) ? method : 'OTHER', status_class: statusClass(status) },
        seconds,
      );
    },
  };
}

/** `2xx`, `4xx`, ...: the class is what alerts look at, and it keeps the series few. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
