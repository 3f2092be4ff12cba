import Router from '@koa/router';
import { createReadStream } from 'node:fs';
import type { SandboxState } from './sandbox-state.js';

/**
 * Serves generated outputs like a CDN: signed Jimeng URLs are refused with 403 once expired
 * or tampered with, unknown names are 404, and byte ranges work so browsers can seek videos.
 */
export function filesRouter(state: SandboxState): Router {
  const router = new Router();
  router.get('/files/:name', (ctx) => {
    const checked = state.files.check(String(ctx.params.name), ctx.query);
    if (!checked.ok) {
      ctx.status = checked.status;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${checked.reason.split(':')[0]}</Code><Message>${checked.reason}</Message></Error>`;
      return;
    }
    const { file } = checked;
    ctx.set('accept-ranges', 'bytes');
    ctx.set('cache-control', 'private, max-age=86400');
    ctx.type = file.contentType;
    const range = /^bytes=(\d*)-(\d*)$/.exec(ctx.get('range'));
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, file.size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), file.size - 1) : file.size - 1;
      if (start > end || start >= file.size) {
        ctx.status = 416;
        ctx.set('content-range', `bytes */${file.size}`);
        return;
      }
      ctx.status = 206;
      ctx.set('content-range', `bytes ${start}-${end}/${file.size}`);
      ctx.length = end - start + 1;
      ctx.body = createReadStream(file.path, { start, end });
      return;
    }
    ctx.length = file.size;
    ctx.body = createReadStream(file.path);
  });
  return router;
}
