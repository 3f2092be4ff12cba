import { createServer as createHttpServer, type Server } from 'node:http';
import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import type { Core } from '@dreamloom/core';
import { ApiRegistry } from './http/api-registry.js';
import type { AppContextExtras, AppState } from './http/context.js';
import { healthRoutes } from './routes/health.routes.js';
import { staffAuthRoutes } from './routes/staff-auth.routes.js';
import { jimengAccountRoutes } from './routes/jimeng-accounts.routes.js';
import { jimengStudioRoutes } from './routes/jimeng-studio.routes.js';
import { animeGenerationRoutes } from './routes/anime-generation.routes.js';
import { animeVideoRoutes } from './routes/anime-video.routes.js';
import { animeCreditsRoutes } from './routes/anime-credits.routes.js';
import { animeAdminRoutes } from './routes/anime-admin.routes.js';
import { serveMedia } from './routes/media.routes.js';
import { adminStatic } from './routes/admin-static.js';
import { adminSecurityHeaders } from './http/admin-security-headers.js';
import { queueMonitor } from './routes/queue-monitor.js';
import { attachSocketGateway } from './realtime/socket-gateway.js';
import { storyAuthRoutes } from './routes/story-auth.routes.js';
import { storyAiRoutes } from './routes/story-ai.routes.js';
import { storyCatalogRoutes } from './routes/story-catalog.routes.js';
import { storyChatRoutes } from './routes/story-chat.routes.js';
import { storyBindingRoutes } from './routes/story-bindings.routes.js';
import { storyImageRoutes } from './routes/story-images.routes.js';
import { nanobananaRoutes } from './routes/nanobanana.routes.js';
import { staffAuditRoutes } from './routes/staff-audit.routes.js';
import { staffTraceRoutes } from './routes/staff-trace.routes.js';
import { adminOverviewRoutes } from './routes/admin-overview.routes.js';
import { nanobananaMalformedJson } from './http/nanobanana-malformed-json.js';
import { generateResponseFastPath } from './http/generate-response.fast-path.js';
import { attachNanobananaWebSocket } from './realtime/nanobanana-ws.js';
import { apiCompression } from './http/compression.js';
import { apiDocsRoutes } from './routes/api-docs.routes.js';
import { metricsEndpoint } from './http/metrics-endpoint.js';
import { requestPipeline, StoryRateLimit } from './http/pipeline/index.js';

export interface DreamloomServer {
  app: Koa<AppState, AppContextExtras>;
  httpServer: Server;
  registry: ApiRegistry;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** Builds the Koa app, the HTTP server and the socket.io gateway around one core. */
export async function createServer(core: Core): Promise<DreamloomServer> {
  // X-Forwarded-* only from configured proxies: otherwise any client picks its own address (and
  // with it a fresh rate-limit budget). maxIpsCount keeps the entries the trusted hops appended.
  const app = new Koa<AppState, AppContextExtras>({
    proxy: core.config.TRUST_PROXY,
    maxIpsCount: core.config.TRUST_PROXY_HOPS,
  });
  const extras: AppContextExtras = { core, storyRateLimit: new StoryRateLimit(core) };
  Object.assign(app.context, extras);
  // Errors are answered by errorBoundary; Koa's own handler would log secrets-free but noisy traces.
  app.silent = true;

  const registry = new ApiRegistry();
  const routers = [
    healthRoutes(registry),
    staffAuthRoutes(registry),
    jimengAccountRoutes(registry),
    jimengStudioRoutes(registry),
    animeGenerationRoutes(registry),
    animeVideoRoutes(registry),
    animeCreditsRoutes(registry),
    animeAdminRoutes(registry),
    staffAuditRoutes(registry),
    staffTraceRoutes(registry),
    adminOverviewRoutes(registry),
    storyAuthRoutes(registry),
    storyAiRoutes(registry),
    storyCatalogRoutes(registry),
    storyChatRoutes(registry),
    storyBindingRoutes(registry),
    // Before story images: contract 004 answers its own image ids; other ids and file names fall through.
    nanobananaRoutes(registry),
    storyImageRoutes(registry),
  ];
  // OpenAPI JSON for programs, a readable reference (Swagger UI) for browsers.
  const docs = apiDocsRoutes(registry, core.config);

  // The request pipeline (http/pipeline/index.ts; the generate-response fast path runs the same
  // stages): timing, access log, request id and CORS first, so every answer has them.
  for (const stage of requestPipeline.edge) app.use(stage);
  // gzip/brotli for /api answers (never event streams nor media); outside the error boundary so
  // error answers are compressed too.
  app.use(apiCompression());
  // From here in, errors answer in the path's family envelope; hostile URLs and 004's rate limit.
  for (const stage of requestPipeline.guard) app.use(stage);
  app.use(serveMedia);
  app.use(adminSecurityHeaders(core.config.PUBLIC_URL));
  app.use(queueMonitor(core));
  app.use(adminStatic(core.config.ADMIN_DIST_DIR));
  app.use(nanobananaMalformedJson);
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: '2mb' }));
  // Hostile bodies, then who is calling; story routers add their admission (story-shared.ts).
  for (const stage of requestPipeline.caller) app.use(stage);
  for (const router of [docs, ...routers]) app.use(router.routes()).use(router.allowedMethods());
  app.use(async (ctx, next) => {
    if (ctx.path === '/') return ctx.redirect('/admin/');
    await next();
  });

  const koa = app.callback();
  const fastGenerateResponse = generateResponseFastPath(extras);
  const scrape = metricsEndpoint(core);
  const httpServer = createHttpServer((req, res) => {
    if (!scrape(req, res) && !fastGenerateResponse(req, res)) void koa(req, res);
  });
  const gateway = await attachSocketGateway(core, httpServer);
  const nanobananaWs = await attachNanobananaWebSocket(core, httpServer);
  core.metrics.connections.watch('socketio', () => gateway.io.engine.clientsCount);
  core.metrics.connections.watch('websocket', nanobananaWs.connections);

  return {
    app,
    httpServer,
    registry,
    listen(port = core.config.PORT, host = core.config.HOST) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          resolve({ port: actualPort, url: `http://${host}:${actualPort}` });
        });
      });
    },
    async close() {
      await nanobananaWs.close();
      await gateway.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
