import { ProviderError } from '../../../ports/image-provider.port.js';
import {
  JIMENG_CODE_DEFAULTS,
  JIMENG_ERROR_WORDINGS,
  JIMENG_HTTP_STATUS_KINDS,
  type JimengErrorWording,
} from './jimeng-error-wordings.js';

/** The documented wording a gateway error body matches, if any (first row of the table wins). */
export function matchJimengWording(code: number, message: string): JimengErrorWording | undefined {
  return JIMENG_ERROR_WORDINGS.find(
    (row) => (row.codes.length === 0 || row.codes.includes(code)) && row.pattern.test(message),
  );
}

/**
 * Maps a jimeng-api gateway error body (HTTP 200 with a negative `code`) to Dreamloom's failure
 * kinds. The gateway puts most reasons only in the message text (a bracketed tag, or an upstream
 * `错误码`), so the message decides first, from the table in jimeng-error-wordings.ts; the code's
 * own meaning applies when no documented wording matches.
 */
export function classifyJimengError(code: number, message: string): ProviderError {
  const text = message ?? '';
  const wording = matchJimengWording(code, text);
  if (wording) return new ProviderError(wording.kind, text, code);
  const fallback = JIMENG_CODE_DEFAULTS[code];
  if (fallback) return new ProviderError(fallback.kind, text || fallback.message, code);
  return new ProviderError('upstream_error', text || `Gateway error ${code}`, code);
}

/** A gateway answered with a non-2xx HTTP status (not its usual HTTP 200 error body). */
export function classifyJimengHttpStatus(status: number, text: string): ProviderError {
  const kind = JIMENG_HTTP_STATUS_KINDS[status] ?? 'upstream_error';
  const detail = text.trim().slice(0, 200);
  return new ProviderError(kind, `HTTP ${status} from gateway${detail ? `: ${detail}` : ''}`, status);
}
