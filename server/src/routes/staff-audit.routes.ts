import Router from '@koa/router';
import { z } from 'zod';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

const token = z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'letters, digits and _ . : / - only');

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
    query: z.object({
      target_kind: z
        .string()
        .regex(/^[a-z_]{1,32}$/)
        .optional(),
      target_id: token.optional(),
      actor_id: token.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async (ctx, { query, actor }) => ok.jimeng(await ctx.core.audit.list(actor!, query)),
  });
  return router;
}
