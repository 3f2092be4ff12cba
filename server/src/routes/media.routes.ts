import path from 'node:path';
import type { Next } from 'koa';
import { NotFoundError } from '@dreamloom/core';
import type { AppContext } from '../http/context.js';

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
};

/**
 * Stored media by key. Keys contain a random task uuid, so URLs are unguessable and can be
 * handed to Discord/Telegram, which fetch them without credentials.
 */
export async function serveMedia(ctx: AppContext, next: Next) {
  if (!ctx.path.startsWith('/media/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
  const key = decodeURIComponent(ctx.path.slice('/media/'.length));
  const type = CONTENT_TYPES[path.extname(key)];
  if (!type || key.includes('..')) throw new NotFoundError('File');
  const { stream, size } = await ctx.core.storage.stream(key);
  ctx.set('Content-Type', type);
  ctx.set('Content-Length', String(size));
  ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
  ctx.body = stream;
}
