import type { Next } from 'koa';
import { AppError, BAD_PARAMETERS_MESSAGE, INVALID_REQUEST_MESSAGE, ValidationError } from '@dreamloom/core';
import type { AppContext } from './context.js';
import { familyOf } from './envelopes.js';

/** Contract 004 routes whose documented 400 is `参数错误`; its other routes document `请求参数有误，请检查后重试`. */
const BAD_PARAMETERS_PATHS = new Set(['/api/v1/images/export', '/api/v1/history/batch']);

/**
 * A JSON body the body parser cannot read, on a contract 004 path, answers that route's documented
 * 400 text instead of the parser's English one (the envelope is already the family's). Sits right
 * around the body parser: only the parser's own error (a plain 400, not an AppError) is rewritten.
 */
export async function nanobananaMalformedJson(ctx: AppContext, next: Next) {
  try {
    await next();
  } catch (error) {
    const parserError =
      (error as { status?: number }).status === 400 &&
      typeof (error as { body?: unknown }).body === 'string' &&
      !(error instanceof AppError);
    if (!parserError || familyOf(ctx.path) !== 'nanobanana') throw error;
    throw new ValidationError(
      BAD_PARAMETERS_PATHS.has(ctx.path) ? BAD_PARAMETERS_MESSAGE : INVALID_REQUEST_MESSAGE,
    );
  }
}
