import type { Middleware, Next } from 'koa';
import helmet from 'koa-helmet';
import type { AppContext } from './context.js';

/**
 * Content-Security-Policy directives of the admin (a Vite-built Refine + antd SPA under /admin/).
 * Scripts only from our origin (Vite emits no inline script); antd's CSS-in-JS injects <style>
 * elements and style attributes, hence 'unsafe-inline' for styles only; socket.io connects over
 * ws:/wss:. Images and videos the admin shows may be stored media (PUBLIC_URL, which can be another
 * origin than the one the admin is opened on) or https URLs typed into catalogs (avatars, backgrounds).
 */
export function adminCspDirectives(
  publicUrl: string,
  extra: { styleSrc?: string[]; fontSrc?: string[] } = {},
) {
  const media = new URL(publicUrl).origin;
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'", ...(extra.styleSrc ?? [])],
    imgSrc: ["'self'", 'data:', 'blob:', 'https:', media],
    mediaSrc: ["'self'", 'blob:', 'https:', media],
    fontSrc: ["'self'", 'data:', ...(extra.fontSrc ?? [])],
    connectSrc: ["'self'", 'ws:', 'wss:'],
    workerSrc: ["'self'", 'blob:'],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

/** helmet with the given CSP and the admin's other headers (also used by the API reference page). */
export function helmetFor(directives: Record<string, string[]>): Middleware {
  return helmet({
    // No helmet defaults: `upgrade-insecure-requests` would break an admin opened over plain http.
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  });
}

/**
 * helmet's headers (CSP, nosniff, frame denial, no referrer, COOP/CORP, HSTS …) on the admin's pages
 * and assets and on the queue monitor (bull-board, whose page also loads its fonts from Google Fonts).
 * The API keeps its own headers: helmet's same-origin CORP would stop other sites' image embeds.
 */
export function adminSecurityHeaders(publicUrl: string) {
  const admin = helmetFor(adminCspDirectives(publicUrl));
  const queues = helmetFor(
    adminCspDirectives(publicUrl, {
      styleSrc: ['https://fonts.googleapis.com'],
      fontSrc: ['https://fonts.gstatic.com'],
    }),
  );
  return (ctx: AppContext, next: Next) => {
    if (ctx.path !== '/admin' && !ctx.path.startsWith('/admin/')) return next();
    const queuesPath = ctx.path === '/admin/queues' || ctx.path.startsWith('/admin/queues/');
    return (queuesPath ? queues : admin)(ctx as never, next);
  };
}
