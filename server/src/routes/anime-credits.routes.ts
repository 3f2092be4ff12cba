import Router from '@koa/router';
import {
  creditUsersQuery,
  creditUsersResponse,
  creditsQuery,
  creditsResponse,
  grantCreditsBody,
  grantCreditsResponse,
} from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

/** Credits (MC): members read their balance and ledger; staff grant credits and read anyone's. */
export function animeCreditsRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'get',
    path: '/api/generation/credits',
    tag: 'credits',
    summary:
      "The caller's MC balance, latest ledger entries and generations in flight with their limits (staff: any user with ?user_id=)",
    role: 'user',
    query: creditsQuery,
    response: creditsResponse,
    handler: async (ctx, { query, actor }) => {
      const userId = query.user_id ?? actor!.id;
      // The view checks access first; the usage is read only for a user the caller may see.
      const view = await ctx.core.anime.credits.view(actor!, userId, query.limit);
      return ok.anime({ ...view, jobs: await ctx.core.anime.limits.usage(actor!, userId) });
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/generation/credits/users',
    tag: 'credits',
    summary: 'Staff: users newest first with their MC balance (q: id, name or platform id)',
    role: 'staff',
    query: creditUsersQuery,
    response: creditUsersResponse,
    handler: async (ctx, { query, actor }) => ok.anime(await ctx.core.anime.credits.listUsers(actor!, query)),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/generation/credits/grant',
    tag: 'credits',
    summary: 'Staff: add (or with a negative amount remove) MC; the idempotency key makes retries harmless',
    role: 'staff',
    body: grantCreditsBody,
    response: grantCreditsResponse,
    handler: async (ctx, { body, actor }) => {
      const entry = await ctx.core.anime.credits.grant(actor!, {
        userId: body.user_id,
        amount: body.amount,
        idempotencyKey: body.idempotency_key,
        note: body.note,
      });
      return ok.anime({ entry, balance: await ctx.core.anime.credits.balance(body.user_id) });
    },
  });
  return router;
}
