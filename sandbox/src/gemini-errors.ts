import type { FaultSpec } from './sandbox.types.js';

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

export interface GeminiHttpError {
  status: number;
  body: GoogleErrorBody;
}

const TROUBLESHOOTING = 'https://developers.generativeai.google/guide/troubleshooting';

/** Google's canonical status names and the messages the Gemini API uses with them. */
const HTTP: Record<number, [status: string, message: string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: [
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  ],
  403: [
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  ],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  429: [
    'RESOURCE_EXHAUSTED',
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  ],
  500: ['INTERNAL', `An internal error has occurred. Please retry or report in ${TROUBLESHOOTING}`],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

const KIND_CODES: Record<string, number> = {
  'invalid-argument': 400,
  unauthenticated: 401,
  'permission-denied': 403,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
  deadline: 504,
};

/** 200 answers without an image: a finishReason, a prompt block, or text only. */
export const GEMINI_SHAPE_KINDS: Record<string, { finishReason?: string; blockReason?: string }> = {
  safety: { finishReason: 'SAFETY' },
  'prohibited-content': { finishReason: 'PROHIBITED_CONTENT' },
  'image-safety': { finishReason: 'IMAGE_SAFETY' },
  'image-prohibited-content': { finishReason: 'IMAGE_PROHIBITED_CONTENT' },
  'no-image': { finishReason: 'NO_IMAGE' },
  'image-other': { finishReason: 'IMAGE_OTHER' },
  'prompt-blocked': { blockReason: 'SAFETY' },
  'prompt-prohibited': { blockReason: 'PROHIBITED_CONTENT' },
  'text-only': {},
};

export const GEMINI_FAULT_KINDS = [...Object.keys(KIND_CODES), ...Object.keys(GEMINI_SHAPE_KINDS), 'slow'];

export function googleError(status: number, message?: string, details?: unknown[]): GeminiHttpError {
  const [name, fallback] = HTTP[status] ?? ['UNKNOWN', 'Unknown error.'];
  return {
    status,
    body: {
      error: { code: status, message: message ?? fallback, status: name, ...(details ? { details } : {}) },
    },
  };
}

function errorInfo(reason: string): unknown[] {
  return [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason,
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
  ];
}

export function invalidApiKey(): GeminiHttpError {
  return googleError(400, 'API key not valid. Please pass a valid API key.', errorInfo('API_KEY_INVALID'));
}

export function suspendedApiKey(key: string): GeminiHttpError {
  return googleError(
    403,
    `Permission denied: Consumer 'api_key:${key}' has been suspended.`,
    errorInfo('CONSUMER_SUSPENDED'),
  );
}

export function validateGeminiFault(fault: FaultSpec): string | undefined {
  if (fault.kind !== undefined && !GEMINI_FAULT_KINDS.includes(fault.kind)) {
    return `gemini fault kind must be one of ${GEMINI_FAULT_KINDS.join(', ')}`;
  }
  if (fault.kind === undefined && !(fault.code! in HTTP)) {
    return `gemini fault code must be an HTTP status among ${Object.keys(HTTP).join(', ')}`;
  }
  return undefined;
}

/** The HTTP error a fault stands for, or undefined when it shapes a 200 answer instead. */
export function geminiFaultError(
  fault: Pick<FaultSpec, 'code' | 'kind' | 'message'>,
): GeminiHttpError | undefined {
  const code = fault.kind !== undefined ? KIND_CODES[fault.kind] : fault.code;
  return code === undefined ? undefined : googleError(code, fault.message);
}

export function geminiMarkerFault(marker: string): Pick<FaultSpec, 'code' | 'kind'> | undefined {
  const fault = /^\d+$/.test(marker) ? { code: Number(marker) } : { kind: marker };
  return validateGeminiFault({ provider: 'gemini', ...fault }) ? undefined : fault;
}
