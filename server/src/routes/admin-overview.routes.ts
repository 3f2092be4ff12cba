import Router from '@koa/router';
import { overviewQuery, overviewResponse } from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/** Staff: the admin dashboard's one source — the whole system over a time window. */
export function adminOverviewRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/v1/admin/overview',
    tag: 'admin',
    summary:
      'Staff: every generation family (Jimeng, anime images and videos, NanoBanana, story images) with totals, outcomes, average and p95 time in seconds (ms precision); tasks per hour or day; failures by error class; story chat activity; credits charged and refunded; queue depth now. Window: range (today, 7d, 30d; days start at midnight in tz) or from/to ISO instants (at most 92 days)',
    role: 'staff',
    query: overviewQuery,
    response: overviewResponse,
    handler: async (ctx, { query, actor }) => ok.jimeng(await ctx.core.overview.overview(actor!, query)),
  });
  return router;
}
