import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Next } from 'koa';
import serve from 'koa-static';
import type { AppContext } from '../http/context.js';

/**
 * Serves the built admin (admin/dist) at /admin, with the SPA fallback to index.html so
 * deep links like /admin/jimeng-accounts survive a reload. Absent in dev (Vite serves it).
 */
export function adminStatic(distDir: string) {
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  const assets = serve(root, { index: false, maxage: 3600_000 });
  return async (ctx: AppContext, next: Next) => {
    if (ctx.path === '/admin') return ctx.redirect('/admin/');
    if (!ctx.path.startsWith('/admin/') || !existsSync(indexFile)) return next();
    const originalPath = ctx.path;
    ctx.path = originalPath.slice('/admin'.length);
    try {
      await assets(ctx as never, async () => undefined);
    } finally {
      ctx.path = originalPath;
    }
    if (
      ctx.body === undefined &&
      (ctx.method === 'GET' || ctx.method === 'HEAD') &&
      !path.extname(originalPath)
    ) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = await readFile(indexFile);
    }
    if (ctx.body === undefined) return next();
  };
}
