import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import type { AppConfig } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppRouterContext, AppState } from '../http/context.js';
import { helmetFor } from '../http/admin-security-headers.js';

export const API_DOCS_PATH = '/api/docs';
export const OPENAPI_JSON_PATH = '/api/docs/openapi.json';

/** Swagger UI's prebuilt files, from node_modules (no CDN: the reference works offline). */
const require = createRequire(import.meta.url);
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_VERSION = (require('swagger-ui-dist/package.json') as { version: string }).version;
/** The version is in the URL, so the files can be cached for good and a new version is a new URL. */
const ASSETS_PATH = `${API_DOCS_PATH}/assets/${SWAGGER_UI_VERSION}`;
const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const INIT_PATH = `${API_DOCS_PATH}/init.js`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Dreamloom API reference</title>
    <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui" data-spec-url="${OPENAPI_JSON_PATH}"></div>
    <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${INIT_PATH}"></script>
  </body>
</html>
`;

/**
 * A file, not an inline script, so the page's CSP keeps `script-src 'self'`. BaseLayout: no top
 * bar, so the page never loads a specification from a URL typed in by someone else (and Swagger
 * UI reads no configuration from the query string). No validator badge: it calls an outside service.
 */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: document.getElementById('swagger-ui').dataset.specUrl,
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  validatorUrl: null,
  displayRequestDuration: true,
  filter: true,
});
`;

/**
 * The page's CSP: Swagger UI's own files only; its styles include inline ones, its icons are data:
 * URLs; "Try it out" calls the API at PUBLIC_URL, which may be another origin than the page's.
 */
function apiDocsCspDirectives(publicUrl: string) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'", new URL(publicUrl).origin],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

/**
 * The API reference. `GET /api/docs` is the OpenAPI document for programs (no Accept, `*\/*` or
 * `application/json`: the fuzz tests, bots, scripts) and a readable reference (Swagger UI) for
 * browsers, which ask for text/html first. The document itself is always at `/api/docs/openapi.json`.
 */
export function apiDocsRoutes(registry: ApiRegistry, config: AppConfig) {
  const router = new Router<AppState, AppContextExtras>();
  const securityHeaders = helmetFor(apiDocsCspDirectives(config.PUBLIC_URL));
  // Built on first use (every route is registered by then: createServer adds them all before it
  // returns) and kept: generating it from the zod schemas takes a noticeable fraction of a second.
  let document: unknown;
  const openapi = () =>
    (document ??= registry.openapi({
      title: 'Dreamloom API',
      version: '0.1.0',
      serverUrl: config.PUBLIC_URL,
    }));
  const files = new Map<string, Promise<Buffer>>();
  const asset = (name: string) => {
    let file = files.get(name);
    if (!file) {
      file = readFile(path.join(SWAGGER_UI_DIR, name));
      file.catch(() => files.delete(name));
      files.set(name, file);
    }
    return file;
  };

  router.get(API_DOCS_PATH, async (ctx: AppRouterContext) => {
    ctx.vary('Accept');
    if (ctx.accepts('json', 'html') !== 'html') {
      ctx.body = openapi();
      return;
    }
    await securityHeaders(ctx as never, async () => {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'html';
      ctx.body = PAGE;
    });
  });

  router.get(OPENAPI_JSON_PATH, (ctx: AppRouterContext) => {
    ctx.body = openapi();
  });

  router.get(INIT_PATH, async (ctx: AppRouterContext) => {
    await securityHeaders(ctx as never, async () => {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.body = INIT_SCRIPT;
    });
  });

  router.get(`${ASSETS_PATH}/:name`, async (ctx: AppRouterContext) => {
    const type = Object.hasOwn(ASSETS, ctx.params.name!) ? ASSETS[ctx.params.name!] : undefined;
    if (!type) return; // errorBoundary answers 404
    const body = await asset(ctx.params.name!);
    await securityHeaders(ctx as never, async () => {
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.type = type;
      ctx.body = body;
    });
  });

  return router;
}
