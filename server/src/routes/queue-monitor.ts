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
 * The admin's language, which the admin (admin/src/i18n) keeps in this cookie scoped to the monitor.
 */
export const QUEUE_MONITOR_LANGUAGE_COOKIE = 'dreamloom_admin_lang';

/** The admin's two languages as bull-board names its locales (it has en-US and zh-CN among others). */
const MONITOR_LOCALES = ['en-US', 'zh-CN'] as const;
type MonitorLocale = (typeof MONITOR_LOCALES)[number];

/**
 * The language to open the monitor in: the admin's choice (its cookie), else the browser's first
 * Accept-Language tag; Chinese of any region reads zh-CN and everything else English, as in the admin.
 */
export function monitorLocale(cookie: string | undefined, acceptLanguage: string | undefined): MonitorLocale {
  const tag = cookie || acceptLanguage?.split(',')[0]?.split(';')[0]?.trim() || '';
  return /^zh(\b|[-_])/i.test(tag) ? 'zh-CN' : 'en-US';
}

/**
 * bull-board (BullMQ queue monitor) for staff: every job queue the worker processes, with retry,
 * promote and clean actions. Signed-out visitors are sent to the admin's login page; members get 403.
 *
 * bull-board takes its language from `uiConfig.locale.lng`, fixed per board when it is created and
 * written into the page it serves (a language the staff member picks in bull-board's own settings
 * still wins in their browser). So there is one board per language over the same queues, and each
 * request goes to the board of the staff member's language; their API answers are the same.
 */
export function queueMonitor(core: Core) {
  const queues = monitoredQueues(core.queue);
  const boards = Object.fromEntries(
    MONITOR_LOCALES.map((lng) => {
      const serverAdapter = new KoaAdapter();
      serverAdapter.setBasePath(QUEUE_MONITOR_PATH);
      createBullBoard({
        queues: queues.map((queue) => new BullMQAdapter(queue)),
        serverAdapter,
        options: { uiConfig: { boardTitle: 'Dreamloom queues', locale: { lng } } },
      });
      return [lng, serverAdapter.registerPlugin()];
    }),
  ) as Record<MonitorLocale, ReturnType<KoaAdapter['registerPlugin']>>;

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
    const lng = monitorLocale(ctx.cookies.get(QUEUE_MONITOR_LANGUAGE_COOKIE), ctx.get('accept-language'));
    ctx.vary('Cookie');
    ctx.vary('Accept-Language');
    await boards[lng](ctx as never, next);
  };
}
