import Router from '@koa/router';
import { traceQuery, traceResponse } from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/** Staff: trace an output, record, generation or NanoBanana image back to everything about it. */
export function staffTraceRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/v1/admin/trace',
    tag: 'admin',
    summary:
      'Staff: one view of a generation, Jimeng record or NanoBanana image found by id, uuid or media URL (/media/…, /api/v1/images/…): task, attempts with masked accounts or keys, errors with their class, credits charged and refunded, the member and platform identities, and the audit trail. 404 when nothing matches (other staff’s Jimeng records and 004 tasks count as nothing, as elsewhere)',
    role: 'staff',
    query: traceQuery,
    response: traceResponse,
    handler: async (ctx, { query, actor }) => ok.jimeng(await ctx.core.trace.trace(actor!, query.q)),
  });
  return router;
}
