import path from 'node:path';
import type { Next } from 'koa';
import { NotFoundError, sniffMime } from '@dreamloom/core';
import type { AppContext } from '../http/context.js';
import { peekStream, setStoredFileHeaders } from '../http/user-content.js';

/** Extensions stored media may have (`.jpeg`: contract 000 reference copies). Not what decides the type. */
const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.mp4']);

/**
 * Stored media by key. Keys contain a random task uuid, so URLs are unguessable and can be
 * handed to Discord/Telegram, which fetch them without credentials. The Content-Type comes from
 * the file's magic bytes, with nosniff and a sandboxing CSP: a file that is not what its name says
 * is an opaque download, never a page.
 */
export async function serveMedia(ctx: AppContext, next: Next) {
  if (!ctx.path.startsWith('/media/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
  const key = decodeURIComponent(ctx.path.slice('/media/'.length));
  if (!EXTENSIONS.has(path.extname(key).toLowerCase()) || key.includes('..')) throw new NotFoundError('File');
  const { stream, size } = await ctx.core.storage.stream(key);
  const peeked = await peekStream(stream);
  setStoredFileHeaders(ctx, sniffMime(peeked.head));
  ctx.set('Content-Length', String(size));
  ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  ctx.body = peeked.stream;
}
