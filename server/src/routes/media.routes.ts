import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Next } from 'koa';
import { NotFoundError, sniffMime } from '@dreamloom/core';
import { parseByteRange } from '../http/byte-range.js';
import type { AppContext } from '../http/context.js';
import { peekStream, setStoredFileHeaders } from '../http/user-content.js';

/** Extensions stored media may have (`.jpeg`: contract 000 reference copies). Not what decides the type. */
const EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.gif',
  '.mp4',
  '.mp3',
  '.ogg',
  '.wav',
  '.flac',
]);

/** Enough of a file's start for every magic number sniffMime knows (mp4's `ftyp` ends at byte 8). */
const SNIFF_BYTES = 64;

/**
 * Stored media by key. Keys contain a random task uuid, so URLs are unguessable and can be
 * handed to Discord/Telegram, which fetch them without credentials. The Content-Type comes from
 * the file's magic bytes, with nosniff and a sandboxing CSP: a file that is not what its name says
 * is an opaque download, never a page.
 *
 * Files are streamed through the server from whichever store holds them (local folder or the
 * shared bucket), never redirected to the bucket: the URL stays stable for chats that keep it
 * forever, the bucket stays private, and these headers stay ours. HEAD and single byte ranges are
 * answered (browsers seek in videos with ranges) without reading the whole file.
 */
export async function serveMedia(ctx: AppContext, next: Next) {
  if (!ctx.path.startsWith('/media/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
  const key = decodeURIComponent(ctx.path.slice('/media/'.length));
  if (!EXTENSIONS.has(path.extname(key).toLowerCase()) || key.includes('..')) throw new NotFoundError('File');
  const { storage } = ctx.core;
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  const rangeHeader = ctx.method === 'GET' ? ctx.get('Range') : '';
  if (ctx.method === 'GET' && !rangeHeader) {
    const { stream, size } = await storage.stream(key);
    const peeked = await peekStream(stream);
    setStoredFileHeaders(ctx, sniffMime(peeked.head));
    ctx.set('Content-Length', String(size));
    ctx.body = peeked.stream;
    return;
  }
  // HEAD, or a range that may start anywhere: the type comes from the first bytes, read on their own.
  const probe = await storage.stream(key, { start: 0, end: SNIFF_BYTES - 1 });
  const head = await readAll(probe.stream);
  setStoredFileHeaders(ctx, sniffMime(head));
  const range = parseByteRange(rangeHeader, probe.size);
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${probe.size}`);
    ctx.body = '';
    return;
  }
  if (range === null) {
    // HEAD, or a range header we may ignore: the whole file.
    ctx.status = 200;
    ctx.set('Content-Length', String(probe.size));
    if (ctx.method === 'GET') ctx.body = (await storage.stream(key)).stream;
    return;
  }
  const { stream } = await storage.stream(key, range);
  ctx.status = 206;
  ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${probe.size}`);
  ctx.set('Content-Length', String(range.end - range.start + 1));
  ctx.body = stream;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
