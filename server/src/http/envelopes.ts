import { AppError } from '@dreamloom/core';

/** The contract families of DESIGN.md, each with its own success and error envelope. */
export type Family = 'jimeng' | 'anime' | 'story' | 'nanobanana' | 'openai';

export interface ErrorBody {
  status: number;
  body: unknown;
}

/** Exactly one error mapper per family; each receives an already-normalised AppError. */
const errorMappers: Record<Family, (error: AppError) => unknown> = {
  jimeng: (error) => ({ code: error.status, message: error.message }),
  nanobanana: (error) => ({ code: error.status, message: error.message }),
  anime: (error) => ({ success: false, error: { code: error.code, message: error.message } }),
  story: (error) => ({ detail: error.message }),
  // Contract 002's OpenAI-compatible endpoints answer errors the way OpenAI clients expect.
  openai: (error) => ({ error: { code: error.code.toLowerCase(), message: error.message } }),
};

export function mapError(family: Family, error: AppError): ErrorBody {
  return { status: error.status, body: errorMappers[family](error) };
}

/** Which family a path belongs to (DESIGN.md's prefix table). */
export function familyOf(path: string): Family {
  if (path === '/api/v1/llm/chat/completions' || path === '/api/v1/ai/i2t/chat/completions') return 'openai';
  // DESIGN.md collisions: the image upload is contract 002's, the rest of /api/v1/images is 004's.
  if (path === '/api/v1/images/upload') return 'story';
  // Staff-only admin routes (audit log, trace) answer like the staff routes: {code, message, data}.
  if (
    path.startsWith('/api/v1/jimeng') ||
    path.startsWith('/api/v1/staff') ||
    path.startsWith('/api/v1/admin')
  )
    return 'jimeng';
  if (
    path.startsWith('/api/anime-generation') ||
    path.startsWith('/api/anime-video') ||
    path.startsWith('/api/generation')
  )
    return 'anime';
  if (
    path.startsWith('/api/v1/generate') ||
    path.startsWith('/api/v1/history') ||
    path.startsWith('/api/v1/health') ||
    path.startsWith('/api/v1/ws') ||
    path.startsWith('/api/v1/images')
  ) {
    return 'nanobanana';
  }
  return 'story';
}

export const ok = {
  jimeng: (data: unknown, message = '操作成功') => ({ code: 200, message, data }),
  anime: (data: unknown) => ({ success: true, data }),
  nanobanana: (data: unknown) => ({ code: 0, message: 'success', data }),
};

/** Normalises anything thrown into an AppError; unknown errors become an unexposed 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status =
    (error as { status?: number; statusCode?: number })?.status ??
    (error as { statusCode?: number })?.statusCode;
  // Koa/bodyparser HTTP errors (malformed JSON, too large) carry a 4xx status and a safe message.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = status === 400 ? 'Malformed request body' : ((error as Error).message ?? 'Bad request');
    return new AppError(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message, { status });
  }
  // A unique or foreign-key constraint the use case did not check first: the caller's request
  // conflicts with stored data (a duplicate, or a row still referenced). Never the SQL itself.
  const name = (error as { name?: string })?.name;
  if (name === 'SequelizeUniqueConstraintError')
    return new AppError('CONFLICT', 'Conflicts with an existing record', { status: 409 });
  if (name === 'SequelizeForeignKeyConstraintError')
    return new AppError('CONFLICT', 'Refers to a missing record or is still in use', { status: 409 });
  return new AppError('INTERNAL_ERROR', 'Internal server error', {
    status: 500,
    expose: false,
    cause: error,
  });
}
