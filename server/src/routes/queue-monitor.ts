import type { Next } from 'koa';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import { isStaff, monitoredQueues, type Core } from '@dreamloom/core';
import type { AppContext } from '../http/context.js';

/** Where bull-board lives: under the admin, so staff reach it from the admin's menu. */
export const QUEUE_MONITOR_PATH = '/admin/queues';

/**
 * The cookie that carries a staff token to the queue monitor. bull-board is a server-rendered UI
 * that the browser navigates to, so it cannot send the admin's bearer header; the cookie is
 * httpOnly, SameSite=Strict (no cross-site requests can ride it) and scoped to this path only, so
 * no other route ever accepts cookie auth.
 */
export const QUEUE_MONITOR_COOKIE = 'dreamloom_queue_monitor';

export function setQueueMonitorCookie(ctx: AppContext, token: string, expiresAt: Date) {
  ctx.cookies.set(QUEUE_MONITOR_COOKIE, token, {
    path: QUEUE_MONITOR_PATH,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    expires: expiresAt,
    overwrite: true,
  });
}

export function clearQueueMonitorCookie(ctx: AppContext) {
  ctx.cookies.set(QUEUE_MONITOR_COOKIE, '', { path: QUEUE_MONITOR_PATH, expires: new Date(0) });
}

/**
 * bull-board (BullMQ queue monitor) for staff: every job queue the worker processes, with retry,
 * promote and clean actions. Signed-out visitors are sent to the admin's login page; members get 403.
 */
export function queueMonitor(core: Core) {
  const serverAdapter = new KoaAdapter();
  serverAdapter.setBasePath(QUEUE_MONITOR_PATH);
  createBullBoard({
    queues: monitoredQueues(core.queue).map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Dreamloom queues' } },
  });
  const board = serverAdapter.registerPlugin();

  return async (ctx: AppContext, next: Next) => {
    if (ctx.path !== QUEUE_MONITOR_PATH && !ctx.path.startsWith(`${QUEUE_MONITOR_PATH}/`)) return next();
    const header = ctx.get('authorization');
    const bearer = /^bearer\s+(\S+)$/i.exec(header)?.[1];
    const token = bearer ?? ctx.cookies.get(QUEUE_MONITOR_COOKIE);
    const actor = token ? await core.identity.authenticateToken(token).catch(() => undefined) : undefined;
    if (!actor) {
      if (ctx.method === 'GET' && !ctx.path.startsWith(`${QUEUE_MONITOR_PATH}/api/`)) {
        return ctx.redirect('/admin/login');
      }
      ctx.status = 401;
      ctx.body = { error: 'Sign in to the admin as staff first' };
      return;
    }
    if (!isStaff(actor)) {
      ctx.status = 403;
      ctx.body = { error: 'Staff only' };
      return;
    }
    ctx.state.actor = actor;
    await board(ctx as never, next);
  };
}
