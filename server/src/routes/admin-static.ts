import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Next } from 'koa';
import serve from 'koa-static';
import type { AppContext } from '../http/context.js';

/** Vite's output under assets/: names carry a content hash (`index-D9ZoPq-R.js`), so they never change. */
const HASHED_ASSET = /^\/assets\/.+-[\w-]{8,}\.\w+$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Unhashed files copied from admin/public (favicon): cached briefly. */
const UNHASHED = 'public, max-age=3600';

interface IndexVariants {
  mtimeMs: number;
  etag: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/**
 * Serves the built admin (admin/dist) at /admin, with the SPA fallback to index.html so
 * deep links like /admin/jimeng-accounts survive a reload. Absent in dev (Vite serves it).
 *
 * The build writes brotli and gzip copies beside each asset (x.js.br, x.js.gz; admin/vite.config.ts);
 * koa-send picks the one the browser accepts and sets Content-Encoding. Hashed assets are
 * immutable for a year; index.html (any path without an extension, and /admin/index.html) is
 * `no-cache` with an ETag, so a repeat visit costs one revalidation (304) and finds a release at once.
 */
export function adminStatic(distDir: string) {
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  const assets = serve(root, {
    index: false,
    brotli: true,
    gzip: true,
    setHeaders(res, filePath) {
      const served = `/${path.relative(root, filePath).split(path.sep).join('/')}`.replace(/\.(br|gz)$/, '');
      res.setHeader('Cache-Control', HASHED_ASSET.test(served) ? IMMUTABLE : UNHASHED);
    },
  });

  let cached: IndexVariants | undefined;
  const indexVariants = async (): Promise<IndexVariants> => {
    const { mtimeMs } = await stat(indexFile);
    if (cached?.mtimeMs === mtimeMs) return cached;
    const identity = await readFile(indexFile);
    const [br, gzip] = await Promise.all([readOptional(`${indexFile}.br`), readOptional(`${indexFile}.gz`)]);
    const etag = `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`;
    cached = { mtimeMs, etag, identity, br, gzip };
    return cached;
  };

  const sendIndex = async (ctx: AppContext) => {
    const index = await indexVariants();
    ctx.status = 200;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', index.etag);
    ctx.vary('Accept-Encoding');
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    // Like koa-send: brotli whenever accepted, whatever the header's order; else gzip; else plain.
    const encoding =
      index.br && ctx.acceptsEncodings('br', 'identity') === 'br'
        ? 'br'
        : index.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip'
          ? 'gzip'
          : undefined;
    if (encoding) ctx.set('Content-Encoding', encoding);
    ctx.body = encoding ? index[encoding] : index.identity;
  };

  return async (ctx: AppContext, next: Next) => {
    if (ctx.path === '/admin') return ctx.redirect('/admin/');
    if (!ctx.path.startsWith('/admin/') || !existsSync(indexFile)) return next();
    const originalPath = ctx.path;
    const isGet = ctx.method === 'GET' || ctx.method === 'HEAD';
    if (isGet && (originalPath === '/admin/index.html' || !path.extname(originalPath))) {
      // The SPA's entry, whatever the deep link.
      return sendIndex(ctx);
    }
    ctx.path = originalPath.slice('/admin'.length);
    try {
      await assets(ctx as never, async () => undefined);
    } finally {
      ctx.path = originalPath;
    }
    if (ctx.body === undefined) return next();
    // The same URL answers br, gzip or plain bytes depending on Accept-Encoding.
    ctx.vary('Accept-Encoding');
  };
}
