import { randomBytes } from 'node:crypto';
import type { Next } from 'koa';
import {
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  hasRole,
  type Actor,
  type Core,
  type Logger,
  type Role,
} from '@dreamloom/core';
import type { AppContext } from './context.js';
import { familyOf, mapError, toAppError } from './envelopes.js';
import { findHostileValue } from './hostile-input.js';

/** This process's prefix for request ids: unique per process start, then a counter. */
const requestIdPrefix = randomBytes(6).toString('hex');
let requestCounter = 0;

/**
 * The caller's X-Request-Id when it is well-formed, else a new one. A counter behind a random
 * per-process prefix is unique enough to find a request in the logs, and it costs no entropy per
 * request (randomUUID's refills showed in the chat burst's profile).
 */
export function requestIdOf(incoming: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(incoming)) return incoming;
  requestCounter += 1;
  return `${requestIdPrefix}-${requestCounter.toString(36)}`;
}

/** Request id (from X-Request-Id or new), a child logger, and one access log line per request. */
export async function requestContext(ctx: AppContext, next: Next) {
  ctx.state.requestId = requestIdOf(ctx.get('x-request-id'));
  ctx.set('X-Request-Id', ctx.state.requestId);
  // The child logger (with its redaction setup) is built on first use: most requests log
  // nothing but the access line, which is skipped entirely when info is off.
  const requestId = ctx.state.requestId;
  let log: Logger | undefined;
  Object.defineProperty(ctx.state, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (log ??= ctx.core.logger.child({ requestId })),
    set: (value: Logger) => {
      log = value;
    },
  });
  const started = performance.now();
  try {
    await next();
  } finally {
    if (ctx.core.logger.isLevelEnabled('info')) {
      const ms = Math.round(performance.now() - started);
      // Paths only: query strings may carry keywords or ids that are nobody's business in logs.
      // ctx.ip: the peer address, or X-Forwarded-For only from trusted proxies (TRUST_PROXY).
      ctx.state.log.info(
        { method: ctx.method, path: ctx.path, ip: ctx.ip, status: ctx.status, ms },
        'request',
      );
    }
  }
}

/** Maps every error (and unmatched /api routes) to the envelope of the path's contract family. */
export async function errorBoundary(ctx: AppContext, next: Next) {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/'))
      throw new NotFoundError('Route');
    ctx.state.commitResponse?.();
  } catch (thrown) {
    const error = toAppError(thrown);
    // An event stream opened before the failure is dropped unsent; the error is the answer.
    ctx.state.cancelReply?.(error);
    if (error.status >= 500) ctx.state.log?.error({ err: error.cause ?? error }, 'request failed');
    const mapped = mapError(familyOf(ctx.path), error.expose ? error : toAppError(new Error('hidden')));
    ctx.status = mapped.status;
    ctx.body = mapped.body;
  }
}

/** Who is calling, from the Authorization (and the bots' X-Platform-*) headers. */
export interface Caller {
  actor?: Actor;
  via?: 'token' | 'bot';
  token?: string;
}

/**
 * Resolves the caller: `Bearer <token>` for users and staff, or `Bot <credential>` with
 * X-Platform / X-Platform-User-Id (and, in a channel, X-Platform-Channel) for the bots acting for
 * a platform user. No header is an anonymous caller; `header` reads a request header ('' when
 * absent).
 */
export async function resolveCaller(core: Core, header: (name: string) => string): Promise<Caller> {
  const authorization = header('authorization');
  const [scheme, credential] = authorization.split(/\s+/, 2);
  if (credential && /^bearer$/i.test(scheme))
    return { actor: await core.identity.authenticateToken(credential), via: 'token', token: credential };
  if (credential && /^bot$/i.test(scheme)) {
    const username = decodeHeader(header('x-platform-username'));
    // The name arrives percent-encoded, so it can carry what the body check refuses elsewhere.
    const problem = username && findHostileValue(username, 'X-Platform-Username');
    if (problem) throw new ValidationError(problem);
    const actor = await core.identity.actForPlatformUser(
      credential,
      header('x-platform'),
      header('x-platform-user-id'),
      username,
    );
    // The place the member acts in (story chat: a bound channel's players are its participants).
    // A copy: the identity service caches and shares the actor object.
    const channel = header('x-platform-channel');
    if (!channel) return { actor, via: 'bot' };
    if (!/^[A-Za-z0-9:_-]{1,128}$/.test(channel))
      throw new ValidationError('X-Platform-Channel: 1-128 characters of letters, digits, ":", "_" or "-"');
    return { actor: { ...actor, place: { platform: header('x-platform'), channel } }, via: 'bot' };
  }
  if (authorization) throw new UnauthorizedError('Unsupported Authorization header');
  return {};
}

/** Koa form of {@link resolveCaller}; anonymous is allowed here, routes that need a caller use `requireRole`. */
export async function authenticate(ctx: AppContext, next: Next) {
  const caller = await resolveCaller(ctx.core, (name) => ctx.get(name));
  ctx.state.actor = caller.actor;
  ctx.state.via = caller.via;
  ctx.state.token = caller.token;
  await next();
}

function decodeHeader(value: string): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function requireRole(minimum: Role) {
  return async (ctx: AppContext, next: Next) => {
    const actor = ctx.state.actor;
    // Contract 002 documents its 401 as `{"detail": "Not authenticated"}`.
    if (!actor) throw new UnauthorizedError(familyOf(ctx.path) === 'story' ? 'Not authenticated' : undefined);
    if (!hasRole(actor, minimum)) throw new ForbiddenError();
    await next();
  };
}
