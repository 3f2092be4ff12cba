import { ValidationError } from '@dreamloom/core';
import { assertCleanBody, findHostilePath, findHostileValue } from '../hostile-input.js';
import type { Exchange, Next } from './exchange.js';

/**
 * Stage: refuses requests whose path or query string carries NUL, an unpaired surrogate or
 * malformed percent-encoding (400 in the path family's envelope: runs inside the error boundary),
 * before any route, media lookup or rate-limit key sees them.
 */
export function rejectHostileRequestLine(x: Exchange, next: Next) {
  const problem = findHostilePath(x.path) ?? findHostileValue(x.query, 'query');
  if (problem) throw new ValidationError(problem);
  return next();
}

/** Stage: the same check for the parsed JSON (or form) body; right after the body is read. */
export function rejectHostileBody(x: Exchange, next: Next) {
  if (x.request.body !== undefined) assertCleanBody(x.request.body);
  return next();
}
