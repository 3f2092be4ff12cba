/**
 * The one error type of the core. `code` is stable and machine-readable; `status` is the
 * HTTP-ish intent (the transports' mappers decide the actual envelope); `expose` says whether
 * the message may be shown to the caller (otherwise transports say "internal error").
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly details?: unknown;

  constructor(
    code: string,
    message: string,
    options: { status?: number; expose?: boolean; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_ERROR', message, { status: 400, details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', message, { status: 401 });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Permission denied') {
    super('FORBIDDEN', message, { status: 403 });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`, { status: 404 });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { status: 409 });
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
