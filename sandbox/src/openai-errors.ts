import type { FaultSpec } from './sandbox.types.js';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAiHttpError {
  status: number;
  body: OpenAiErrorBody;
}

function error(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) {
  return { status, body: { error: { message, type, param, code } } };
}

export function incorrectApiKey(key: string): OpenAiHttpError {
  const masked = key.length > 8 ? `${key.slice(0, 3)}*********${key.slice(-4)}` : '***';
  return error(
    401,
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

export function missingApiKey(): OpenAiHttpError {
  return error(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    'invalid_request_error',
    null,
  );
}

export function quotaExceeded(): OpenAiHttpError {
  return error(
    429,
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    'insufficient_quota',
    'insufficient_quota',
  );
}

export function invalidRequest(
  message: string,
  param: string | null,
  code: string | null = null,
): OpenAiHttpError {
  return error(400, message, 'invalid_request_error', code, param);
}

export function serverError(message?: string): OpenAiHttpError {
  return error(
    500,
    message ?? 'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null,
  );
}

const HTTP_KINDS: Record<string, (model: string, message?: string) => OpenAiHttpError> = {
  unauthorized: (_model, message) => {
    const made = incorrectApiKey('sk-sandbox-key');
    return message ? error(401, message, 'invalid_request_error', 'invalid_api_key') : made;
  },
  forbidden: (_model, message) =>
    error(
      403,
      message ?? 'Country, region, or territory not supported',
      'request_forbidden',
      'unsupported_country_region_territory',
    ),
  'model-not-found': (model, message) =>
    error(
      404,
      message ?? `The model \`${model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model_not_found',
    ),
  'rate-limited': (model, message) =>
    error(
      429,
      message ??
        `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`,
      'requests',
      'rate_limit_exceeded',
    ),
  'quota-exceeded': (_model, message) =>
    message ? error(429, message, 'insufficient_quota', 'insufficient_quota') : quotaExceeded(),
  'server-error': (_model, message) => serverError(message),
  overloaded: (_model, message) =>
    error(503, message ?? 'The engine is currently overloaded, please try again later', 'server_error', null),
};

const CODE_KINDS: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'model-not-found',
  429: 'rate-limited',
  500: 'server-error',
  503: 'overloaded',
};

/**
 * Kinds that change a 200 answer: `stream-error` breaks a stream with `data: {"error":…}`
 * (a non-stream call gets a 500), `length` truncates with finish_reason "length",
 * `content-filter` stops with finish_reason "content_filter", `slow` delays the answer.
 */
export const OPENAI_SHAPE_KINDS = ['stream-error', 'length', 'content-filter', 'slow'] as const;

export const OPENAI_FAULT_KINDS = [...Object.keys(HTTP_KINDS), ...OPENAI_SHAPE_KINDS];

export function validateOpenAiFault(fault: FaultSpec): string | undefined {
  if (fault.kind !== undefined && !OPENAI_FAULT_KINDS.includes(fault.kind)) {
    return `openai fault kind must be one of ${OPENAI_FAULT_KINDS.join(', ')}`;
  }
  if (fault.kind === undefined && !(fault.code! in CODE_KINDS)) {
    return `openai fault code must be an HTTP status among ${Object.keys(CODE_KINDS).join(', ')}`;
  }
  return undefined;
}

/** The HTTP error a fault stands for, or undefined for the shape kinds. */
export function openAiFaultError(
  fault: Pick<FaultSpec, 'code' | 'kind' | 'message'>,
  model: string,
): OpenAiHttpError | undefined {
  const kind = fault.kind ?? CODE_KINDS[fault.code!];
  return HTTP_KINDS[kind]?.(model, fault.message);
}

export function openAiMarkerFault(marker: string): Pick<FaultSpec, 'code' | 'kind'> | undefined {
  const fault = /^\d+$/.test(marker) ? { code: Number(marker) } : { kind: marker };
  return validateOpenAiFault({ provider: 'openai', ...fault }) ? undefined : fault;
}
