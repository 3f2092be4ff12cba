import { AppError, ValidationError } from '../errors.js';

/** Contract 004's messages are Chinese; these errors carry them as documented. */
export class NanobananaNotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message, { status: 404 });
  }
}

export class NanobananaValidationError extends ValidationError {}

export class NanobananaSubmitError extends AppError {
  constructor(cause: unknown) {
    super('SUBMIT_FAILED', '创建任务失败，请稍后重试', { status: 500, expose: true, cause });
  }
}
