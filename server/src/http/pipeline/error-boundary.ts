import { NotFoundError } from '@dreamloom/core';
import { familyOf, mapError, toAppError } from '../envelopes.js';
import type { Exchange, Next } from './exchange.js';

/**
 * Stage: maps every error (and unmatched /api routes) to the envelope of the path's contract
 * family, once for every transport. An event stream opened by the handler is committed (its
 * status line and events go out) once everything inside has settled, or dropped unsent when the
 * request failed after it opened (a late rate-limit refusal): the error is then the answer.
 */
export async function errorBoundary(x: Exchange, next: Next) {
  try {
    await next();
    if (x.status === 404 && x.body === undefined && x.path.startsWith('/api/'))
      throw new NotFoundError('Route');
    x.state.commitResponse?.();
  } catch (thrown) {
    const error = toAppError(thrown);
    x.state.cancelReply?.(error);
    if (error.status >= 500) x.state.log?.error({ err: error.cause ?? error }, 'request failed');
    const mapped = mapError(familyOf(x.path), error.expose ? error : toAppError(new Error('hidden')));
    x.status = mapped.status;
    x.body = mapped.body;
  }
}
