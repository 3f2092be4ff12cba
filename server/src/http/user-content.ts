import { Readable } from 'node:stream';
import type { Context } from 'koa';

/**
 * The policy of every response whose body is a stored file (uploads, provider outputs, thumbnails,
 * references, ZIP exports). Opened as a document, such a file runs nothing, loads nothing but itself,
 * and gets a unique opaque origin (`sandbox`), so even a file that slipped through as HTML could not
 * read cookies or call the API as the viewer.
 */
export const USER_CONTENT_CSP =
  "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** Types served inline; anything else is an opaque download. */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'video/mp4',
  // Story music (uploaded by staff; served to the story app's player).
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/flac',
]);

/** nosniff and the sandboxing CSP, for any response carrying stored content (also ZIPs). */
export function setUserContentPolicy(ctx: Context): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', USER_CONTENT_CSP);
}

/**
 * The headers of a stored file: the policy above, and its type from its bytes (sniffed when stored,
 * or here) — never from its name. A type we do not serve inline (or none) is sent as
 * `application/octet-stream` with `Content-Disposition: attachment`.
 */
export function setStoredFileHeaders(ctx: Context, mime: string | null): void {
  setUserContentPolicy(ctx);
  if (mime && INLINE_TYPES.has(mime)) {
    ctx.set('Content-Type', mime);
  } else {
    ctx.set('Content-Type', 'application/octet-stream');
    ctx.set('Content-Disposition', 'attachment');
  }
}

/**
 * Reads the first chunk of a stream (at least the few bytes a magic-number check needs) and gives
 * back a stream of the whole content; destroying the returned stream closes the original.
 */
export async function peekStream(stream: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* whole() {
    if (!first.done) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const body = Readable.from(whole(), { objectMode: false });
  // Koa destroys a body stream when the response ends; pass that on even if the body was never
  // read (a HEAD request, a client gone before the first byte), so the file is closed.
  body.once('close', () => stream.destroy());
  return { head, stream: body };
}
