import { AppError, ValidationError } from '../errors.js';

/** Contract 004's messages are Chinese; these errors carry them as documented. */
export class NanobananaNotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message, { status: 404 });
  }
}

export class NanobananaValidationError extends ValidationError {}

/** The generic 400 that contract 004 documents for the generation routes (batch-with-images answers only this). */
export const INVALID_REQUEST_MESSAGE = '请求参数有误，请检查后重试';

/** Contract 004's 400 for export and batch delete: exactly this text, no detail. */
export const BAD_PARAMETERS_MESSAGE = '参数错误';

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
