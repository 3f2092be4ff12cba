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

/** `参考图不能超过 10MB` (or KB for small limits), for the service and the multipart reader alike. */
export function refImageTooLargeMessage(maxBytes: number): string {
  const mb = maxBytes / 1024 / 1024;
  const size = mb >= 1 ? `${Math.round(mb * 10) / 10}MB` : `${Math.max(1, Math.floor(maxBytes / 1024))}KB`;
  return `参考图不能超过 ${size}`;
}
