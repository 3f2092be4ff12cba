import {
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
  hasRole,
  type Actor,
  type Core,
  type Role,
} from '@dreamloom/core';
import { familyOf } from '../envelopes.js';
import { findHostileValue } from '../hostile-input.js';
import type { Exchange, Next } from './exchange.js';

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

/**
 * Stage: the caller on `state` (actor, via, token). Anonymous is allowed here; routes that need a
 * caller add {@link requireRole}.
 */
export async function authenticate(x: Exchange, next: Next) {
  const caller = await resolveCaller(x.core, (name) => x.get(name));
  x.state.actor = caller.actor;
  x.state.via = caller.via;
  x.state.token = caller.token;
  return next();
}

function decodeHeader(value: string): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Stage of a route: 401 without a caller, 403 below `minimum`. */
export function requireRole(minimum: Role) {
  return (x: Exchange, next: Next) => {
    const actor = x.state.actor;
    // Contract 002 documents its 401 as `{"detail": "Not authenticated"}`.
    if (!actor) throw new UnauthorizedError(familyOf(x.path) === 'story' ? 'Not authenticated' : undefined);
    if (!hasRole(actor, minimum)) throw new ForbiddenError();
    return next();
  };
}
