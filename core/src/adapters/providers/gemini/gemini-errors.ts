import { ProviderError } from '../../../ports/image-provider.port.js';

/** finishReason values that mean moderation stopped the answer (PROVIDERS.md §3). */
const BLOCKED_FINISH_REASONS = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_RECITATION',
]);

/**
 * An HTTP error answer of the Gemini API, in Dreamloom's provider failure kinds. `quote: false`
 * (a caller-chosen base URL) still classifies by the answer but shows callers only
 * `upstream answered HTTP <status>`: whatever that server sent never reaches an error message.
 */
export function classifyGeminiHttpError(
  status: number,
  message: string,
  options: { quote?: boolean } = {},
): ProviderError {
  const text = options.quote === false ? `upstream answered HTTP ${status}` : message.slice(0, 300);
  if (status === 429) return new ProviderError('rate_limited', `Gemini rate limit: ${text}`, status);
  if (status === 401 || status === 403)
    return new ProviderError('session_expired', `Gemini key rejected: ${text}`, status);
  // Google answers an invalid key with 400 API_KEY_INVALID rather than 401.
  if (status === 400 && /API[_ ]KEY[_ ]INVALID|API key not valid/i.test(message))
    return new ProviderError('session_expired', `Gemini key rejected: ${text}`, status);
  if (status === 400 || status === 404)
    return new ProviderError('invalid_request', `Gemini refused the request: ${text}`, status);
  if (status === 408 || status === 504)
    return new ProviderError('timeout', `Gemini timed out: ${text}`, status);
  if (status >= 500) return new ProviderError('upstream_error', `Gemini error ${status}: ${text}`, status);
  return new ProviderError('upstream_error', `Gemini HTTP ${status}: ${text}`, status);
}

/** An HTTP 200 that carries no image: a prompt block, a moderated candidate, or just no image. */
export function classifyGeminiEmptyAnswer(answer: {
  blockReason?: string;
  finishReason?: string;
  text?: string;
}): ProviderError {
  if (answer.blockReason)
    return new ProviderError(
      'content_blocked',
      `Gemini blocked the prompt (${answer.blockReason})`,
      answer.blockReason,
    );
  const reason = answer.finishReason ?? 'NO_IMAGE';
  if (BLOCKED_FINISH_REASONS.has(reason))
    return new ProviderError('content_blocked', `Gemini withheld the image (${reason})`, reason);
  const said = answer.text ? `: ${answer.text.slice(0, 200)}` : '';
  return new ProviderError('invalid_request', `Gemini returned no image (${reason})${said}`, reason);
}
