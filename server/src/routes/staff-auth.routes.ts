import Router from '@koa/router';
import { isStaff } from '@dreamloom/core';
import {
  staffLoginBody,
  staffLoginResponse,
  staffLogoutResponse,
  staffMeResponse,
} from '@dreamloom/contracts';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';
import { clearQueueMonitorCookie, setQueueMonitorCookie } from './queue-monitor.js';

/** Password login for staff and admins (the admin app); same envelope as contract 003. */
export function staffAuthRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/v1/staff/auth/login',
    tag: 'staff',
    summary: 'Log in with username and password; returns a bearer token',
    body: staffLoginBody,
    response: staffLoginResponse,
    handler: async (ctx, { body }) => {
      const issued = await ctx.core.identity.loginWithPassword(body.username, body.password);
      if (isStaff(issued.user)) setQueueMonitorCookie(ctx, issued.token, issued.expiresAt);
      return ok.jimeng(
        { token: issued.token, expires_at: issued.expiresAt.toISOString(), user: issued.user },
        '登录成功',
      );
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/staff/auth/me',
    tag: 'staff',
    summary: 'The signed-in user',
    role: 'user',
    response: staffMeResponse,
    handler: (_ctx, { actor }) => ok.jimeng({ user: actor }, 'ok'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/staff/auth/logout',
    tag: 'staff',
    summary: 'Revoke the current token',
    role: 'user',
    response: staffLogoutResponse,
    handler: async (ctx) => {
      if (ctx.state.token) await ctx.core.identity.revokeToken(ctx.state.token);
      clearQueueMonitorCookie(ctx);
      return ok.jimeng(null, 'ok');
    },
  });
  return router;
}
