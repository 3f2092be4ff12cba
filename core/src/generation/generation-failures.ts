import { ProviderError, type ProviderFailureKind } from '../ports/image-provider.port.js';

export interface FailureText {
  /** Stable English code a client may branch on. */
  code: string;
  /** What a member is told (contracts 000/001: "Errors: 统一英文"). */
  message: string;
  /** Contract 004: the credential is the caller's own Gemini key, so the failure is about it. */
  ownKeyMessage: string;
}

/**
 * The one table of provider failure classes (ProviderFailureKind) and what callers are told.
 * Providers' own texts (often Chinese, sometimes quoting an upstream answer) never reach a member
 * or a 004 caller; the task row keeps them for staff (error_message) and the log.
 */
export const PROVIDER_FAILURES: Record<ProviderFailureKind, FailureText> = {
  invalid_request: {
    code: 'PROVIDER_REJECTED_REQUEST',
    message: 'The provider rejected the request; check the settings and try again',
    ownKeyMessage: 'request rejected',
  },
  content_blocked: {
    code: 'CONTENT_BLOCKED',
    message: "The prompt or the result was blocked by the provider's content policy",
    ownKeyMessage: 'content blocked',
  },
  bad_input_file: {
    code: 'REFERENCE_IMAGE_UNUSABLE',
    message: 'The provider could not use a reference image',
    ownKeyMessage: 'reference image unusable',
  },
  session_expired: {
    code: 'PROVIDER_CREDENTIAL_REJECTED',
    message: 'No provider account could take the request; try again later',
    ownKeyMessage: 'API key rejected',
  },
  out_of_credits: {
    code: 'PROVIDER_QUOTA_EXHAUSTED',
    message: 'The provider has no quota left right now; try again later',
    ownKeyMessage: 'quota exhausted',
  },
  rate_limited: {
    code: 'PROVIDER_BUSY',
    message: 'The provider is busy; try again later',
    // Gemini answers both a per-minute limit and an exhausted quota with 429 RESOURCE_EXHAUSTED.
    ownKeyMessage: 'rate limited or quota exhausted',
  },
  timeout: {
    code: 'GENERATION_TIMEOUT',
    message: 'The generation timed out',
    ownKeyMessage: 'timed out',
  },
  upstream_error: {
    code: 'PROVIDER_ERROR',
    message: 'The provider failed; try again later',
    ownKeyMessage: 'upstream error',
  },
};

/** Task error codes that are not a single provider failure class, with their member texts. */
const TASK_FAILURES: Record<string, Omit<FailureText, 'ownKeyMessage'>> = {
  CANCELLED: { code: 'CANCELLED', message: 'Cancelled' },
  // Retries ran out (the last class is in the staff text).
  GENERATION_FAILED: { code: 'GENERATION_FAILED', message: 'Generation failed; try again later' },
  // kie.ai ended the task as failed; its failMsg is the staff text.
  PROVIDER_GENERATION_FAILED: { code: 'GENERATION_FAILED', message: 'Generation failed; try again later' },
  NO_ACCOUNT_AVAILABLE: { code: 'PROVIDER_BUSY', message: PROVIDER_FAILURES.rate_limited.message },
  PROVIDER_NOT_CONFIGURED: { code: 'MODEL_UNAVAILABLE', message: 'This model is not available right now' },
};

/** The error code a task row stores for a provider failure of this class. */
export const providerFailureCode = (kind: ProviderFailureKind): string => `PROVIDER_${kind.toUpperCase()}`;

const KIND_BY_STORED_CODE = new Map(
  (Object.keys(PROVIDER_FAILURES) as ProviderFailureKind[]).map((kind) => [providerFailureCode(kind), kind]),
);

/**
 * The member-facing code and message of a failed task, from the stored error code (the engine
 * stores `PROVIDER_<KIND>` for provider failures). Unknown codes are a generic failure.
 */
export function memberFacingFailure(storedCode: string | null | undefined): {
  code: string;
  message: string;
} {
  const kind = storedCode ? KIND_BY_STORED_CODE.get(storedCode) : undefined;
  if (kind) return { code: PROVIDER_FAILURES[kind].code, message: PROVIDER_FAILURES[kind].message };
  return (storedCode && TASK_FAILURES[storedCode]) || TASK_FAILURES.GENERATION_FAILED!;
}

/**
 * Contract 004's per-image failure text: the class in a few words plus the upstream status or
 * finish reason (`API key rejected (HTTP 400)`, `content blocked (IMAGE_SAFETY)`), never the answer.
 */
export function ownKeyFailureMessage(error: ProviderError): string {
  const text = PROVIDER_FAILURES[error.kind].ownKeyMessage;
  const upstream = error.upstreamCode;
  if (upstream === undefined || upstream === '') return text;
  return `${text} (${typeof upstream === 'number' ? `HTTP ${upstream}` : upstream})`;
}
