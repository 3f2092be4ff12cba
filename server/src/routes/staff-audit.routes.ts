import Router from '@koa/router';
import { auditQuery, auditResponse } from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/** Staff: the one audit log of staff actions (accounts, credits, prices, plans, deletes). */
export function staffAuditRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/v1/admin/audit',
    tag: 'admin',
    summary:
      'Staff: the newest audit log entries (who, when, action, target, before and after; secrets masked), optionally of one target or actor',
    role: 'staff',
    query: auditQuery,
    response: auditResponse,
    handler: async (ctx, { query, actor }) => ok.jimeng(await ctx.core.audit.list(actor!, query)),
  });
  return router;
}
