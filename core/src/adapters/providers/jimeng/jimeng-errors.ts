import { ProviderError } from '../../../ports/image-provider.port.js';

/**
 * Maps a jimeng-api gateway error body (HTTP 200 with a negative `code`) to Dreamloom's
 * failure kinds, following PROVIDERS.md §1's table. The catch-all codes carry the upstream
 * reason only in the message text, so it is parsed.
 */
/** Out-of-points wording the gateways use under several codes (video: -2008; prededuction: -2009). */
const OUT_OF_POINTS = /积分不足|credit prededuct not enough|insufficient points/i;

export function classifyJimengError(code: number, message: string): ProviderError {
  const text = message ?? '';
  if (OUT_OF_POINTS.test(text)) return new ProviderError('out_of_credits', text, code);
  switch (code) {
    case -2000:
      return new ProviderError('invalid_request', text || 'Invalid parameters', code);
    case -2001:
      if (/\b1006\b|not enough credits/i.test(text)) return new ProviderError('out_of_credits', text, code);
      if (/\b1019\b|shark not pass/i.test(text)) return new ProviderError('rate_limited', text, code);
      return new ProviderError('upstream_error', text || 'Request failed', code);
    case -2002:
      return new ProviderError('session_expired', text || 'Session expired', code);
    case -2003:
    case -2004:
      return new ProviderError('bad_input_file', text || 'Bad remote file', code);
    case -2006:
      return new ProviderError('content_blocked', text || 'Content blocked', code);
    case -2007:
      if (/2038/.test(text)) return new ProviderError('content_blocked', text, code);
      if (/生成超时|timed? ?out/i.test(text)) return new ProviderError('timeout', text, code);
      return new ProviderError('upstream_error', text || 'Image generation failed', code);
    case -2008:
      return new ProviderError('upstream_error', text || 'Video generation failed', code);
    case -2009:
      return new ProviderError('out_of_credits', text || 'Insufficient points', code);
    default:
      return new ProviderError('upstream_error', text || `Gateway error ${code}`, code);
  }
}
