import type { FaultSpec } from './sandbox.types.js';

/** kie.ai answers with a body code that is authoritative; the HTTP status is usually 200. */
export interface KieErrorBody {
  code: number;
  msg: string;
  data: null;
}

export const KIE_ENDPOINTS = ['createTask', 'recordInfo', 'credit'] as const;

/** Messages per body code (kie's docs list the codes; wording is the sandbox's). */
const MESSAGES: Record<number, string> = {
  401: 'You do not have access permissions',
  402: 'Credits insufficient',
  404: 'Not found',
  422: 'Validation error',
  429: 'Rate limited, please try again later',
  455: 'Service unavailable, system maintenance in progress',
  500: 'Server exception, please try again later',
  501: 'Generation failed',
  505: 'Feature disabled',
};

const KIND_CODES: Record<string, number> = {
  unauthorized: 401,
  'insufficient-credits': 402,
  'not-found': 404,
  validation: 422,
  'rate-limited': 429,
  maintenance: 455,
  'server-error': 500,
  'feature-disabled': 505,
};

/**
 * Kinds that let createTask succeed and shape the task instead: `task-fail` (also code 501)
 * ends it in state `fail`, `no-callback` completes it without calling back, `slow` stretches it.
 */
export const KIE_TASK_KINDS = ['task-fail', 'no-callback', 'slow'] as const;

export const KIE_FAULT_KINDS = [...Object.keys(KIND_CODES), ...KIE_TASK_KINDS];

export function kieError(code: number, msg?: string): KieErrorBody {
  return { code, msg: msg ?? MESSAGES[code] ?? 'error', data: null };
}

/** True when the fault shapes the task rather than failing the request. */
export function isKieTaskFault(fault: Pick<FaultSpec, 'code' | 'kind'>): boolean {
  return fault.code === 501 || (KIE_TASK_KINDS as readonly string[]).includes(fault.kind ?? '');
}

export function validateKieFault(fault: FaultSpec): string | undefined {
  if (fault.endpoint !== undefined && !(KIE_ENDPOINTS as readonly string[]).includes(fault.endpoint)) {
    return `kie fault endpoint must be one of ${KIE_ENDPOINTS.join(', ')}`;
  }
  if (fault.kind !== undefined && !KIE_FAULT_KINDS.includes(fault.kind)) {
    return `kie fault kind must be one of ${KIE_FAULT_KINDS.join(', ')}`;
  }
  if (fault.kind === undefined && !(fault.code! in MESSAGES)) {
    return `kie fault code must be one of ${Object.keys(MESSAGES).join(', ')}`;
  }
  if (isKieTaskFault(fault) && fault.endpoint !== undefined && fault.endpoint !== 'createTask') {
    return 'task faults (task-fail, 501, no-callback, slow) apply to createTask';
  }
  return undefined;
}

/** The error body for a request-level fault. */
export function kieFaultBody(fault: Pick<FaultSpec, 'code' | 'kind' | 'message'>): KieErrorBody {
  const code = fault.kind !== undefined ? KIND_CODES[fault.kind] : fault.code!;
  return kieError(code, fault.message);
}

/** Reads a prompt marker (`task-fail`, `no-callback`, `402`, …) as a fault. */
export function kieMarkerFault(marker: string): Pick<FaultSpec, 'code' | 'kind'> | undefined {
  const fault = /^\d+$/.test(marker) ? { code: Number(marker) } : { kind: marker };
  return validateKieFault({ provider: 'kie', ...fault }) ? undefined : fault;
}
