import Router from '@koa/router';
import { healthResponse } from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';

/** Contract 004's health check, extended with database and Redis reachability. */
export function healthRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/v1/health',
    tag: 'health',
    summary:
      'Service health with database and Redis reachability (503 with status `error` when either is down)',
    response: healthResponse,
    handler: async (ctx) => {
      const checks = await ctx.core.ping();
      const healthy = checks.database && checks.redis;
      ctx.status = healthy ? 200 : 503;
      return healthy
        ? { status: 'ok', message: '服务运行正常', checks }
        : { status: 'error', message: '服务不可用', checks };
    },
  });
  return router;
}
