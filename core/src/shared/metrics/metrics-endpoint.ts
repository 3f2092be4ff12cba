import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** The path every Dreamloom process serves its metrics on (Prometheus' default metrics_path). */
export const METRICS_PATH = '/metrics';

/** Whether a request is a scrape of {@link METRICS_PATH} (a query string is allowed and ignored). */
export function isMetricsRequest(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').split('?')[0] === METRICS_PATH;
}

/**
 * Answers a scrape in Prometheus' text format. With a `token` (METRICS_TOKEN) the scraper must
 * send `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials_file: ... }`);
 * anything else is a 401 that says nothing about the metrics.
 */
export async function serveMetrics(
  registry: Registry,
  token: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (token !== undefined && !bearerMatches(req.headers.authorization ?? '', token)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
    res.end('Unauthorized\n');
    return;
  }
  try {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('metrics unavailable\n');
  }
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function bearerMatches(header: string, token: string): boolean {
  const [scheme, credential] = header.split(/\s+/, 2);
  if (!credential || !/^bearer$/i.test(scheme)) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(credential), digest(token));
}
