import type { Next } from 'koa';
import compress from 'koa-compress';
import type { AppContext } from './context.js';

/**
 * What is worth compressing: JSON and text (the API's envelopes, lists, exports as text, the
 * reference page). Never `text/event-stream`: a compressor holds bytes back until it has a block,
 * and story chat's tokens must leave as they come (sse.ts also sends `no-transform`). Never
 * images, video or audio either (stored media is already compressed), nor ZIP exports.
 */
const COMPRESSIBLE =
  /^(?:application\/(?:json|[\w.-]+\+json|javascript|xml|[\w.-]+\+xml)|text\/(?!event-stream)[\w.+-]+)\s*(?:;|$)/i;

export function isCompressibleApiType(type: string): boolean {
  return COMPRESSIBLE.test(type);
}

/**
 * gzip/brotli for `/api` answers larger than 1 KB, as the client's Accept-Encoding allows (koa-compress
 * adds `Vary: Accept-Encoding`). Brotli at quality 4: about gzip's speed, smaller output. Event
 * streams answered by `openSse` leave Koa's body unset (`respond = false`), so they are never
 * touched; the generate-response fast path runs beside Koa altogether. The built admin is served
 * precompressed (admin-static.ts), media as stored.
 */
export function apiCompression() {
  const compressor = compress({ filter: isCompressibleApiType, threshold: 1024 });
  return (ctx: AppContext, next: Next) =>
    ctx.path.startsWith('/api/') ? compressor(ctx as never, next) : next();
}
