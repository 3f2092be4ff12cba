import { ProviderError, type ProviderFailureKind } from '../../../ports/image-provider.port.js';

export interface KieClientOptions {
  /** e.g. `https://api.kie.ai` or the sandbox's `http://127.0.0.1:4010/kie`. */
  baseUrl: string;
  /** Per HTTP call (createTask and recordInfo answer at once; the work runs upstream). */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export type KieTaskState = 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';

/** A kie task as recordInfo (or a callback) describes it, with the JSON strings parsed. */
export interface KieTaskRecord {
  taskId: string;
  model: string | null;
  state: KieTaskState;
  resultUrls: string[];
  failCode: string | null;
  failMsg: string | null;
  param: Record<string, unknown> | null;
}

export interface KieCreateTaskRequest {
  model: string;
  input: Record<string, unknown>;
  callBackUrl?: string;
}

/** Body codes of PROVIDERS.md §2 as the engine's failure kinds. */
export function kieFailureKind(code: number): ProviderFailureKind {
  switch (code) {
    case 401:
      return 'session_expired';
    case 402:
      return 'out_of_credits';
    case 404:
    case 422:
    case 505: // feature disabled: another try with the same request cannot succeed
      return 'invalid_request';
    case 429:
      return 'rate_limited';
    default: // 455 maintenance, 500 server error, 501 generation failed, anything unknown
      return 'upstream_error';
  }
}

const TERMINAL: readonly KieTaskState[] = ['success', 'fail'];
export const isKieTerminal = (state: KieTaskState) => TERMINAL.includes(state);

/**
 * Delay before the n-th status poll (0-based): starts at `initialMs`, grows by half each time,
 * capped at `maxMs`. PROVIDERS.md: start at 2–3 s, back off, give up after about 15 minutes.
 */
export function kiePollDelay(polls: number, initialMs = 3000, maxMs = 30_000): number {
  return Math.min(maxMs, Math.round(initialMs * 1.5 ** Math.max(0, polls)));
}

function parseJsonString(value: unknown): Record<string, unknown> | null {
  if (value && typeof value === 'object') return value as Record<string, unknown>;
  if (typeof value !== 'string' || !value.trim()) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Reads recordInfo's `data` (or a callback's): `param` and `resultJson` are JSON strings, the
 * task id may be `taskId` or `task_id`, and a callback may omit `state` (its body code says it).
 */
export function parseKieRecord(data: unknown, bodyCode?: number): KieTaskRecord {
  const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const taskId = String(record.taskId ?? record.task_id ?? '');
  const result = parseJsonString(record.resultJson);
  const urls = Array.isArray(result?.resultUrls) ? result.resultUrls : [];
  const resultUrls = urls.filter((url): url is string => typeof url === 'string' && /^https?:\/\//.test(url));
  const text = (value: unknown) =>
    value === null || value === undefined || value === '' ? null : String(value as string);
  let state = String(record.state ?? '') as KieTaskState;
  if (!['waiting', 'queuing', 'generating', 'success', 'fail'].includes(state)) {
    state =
      bodyCode === 200 && resultUrls.length ? 'success' : bodyCode && bodyCode !== 200 ? 'fail' : 'waiting';
  }
  return {
    taskId,
    model: text(record.model),
    state,
    resultUrls,
    failCode: text(record.failCode),
    failMsg: text(record.failMsg),
    param: parseJsonString(record.param),
  };
}

/** kie.ai's job API (PROVIDERS.md §2): create a task, read its record. One API key per call. */
export class KieClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: KieClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Starts an upstream task; returns kie's task id. */
  async createTask(apiKey: string, request: KieCreateTaskRequest, signal?: AbortSignal): Promise<string> {
    const data = await this.call<{ taskId?: string }>(
      'POST',
      '/api/v1/jobs/createTask',
      apiKey,
      {
        model: request.model,
        input: request.input,
        ...(request.callBackUrl ? { callBackUrl: request.callBackUrl } : {}),
      },
      signal,
    );
    if (!data?.taskId) throw new ProviderError('upstream_error', 'kie createTask answered without a taskId');
    return data.taskId;
  }

  async recordInfo(apiKey: string, taskId: string, signal?: AbortSignal): Promise<KieTaskRecord> {
    const data = await this.call<unknown>(
      'GET',
      `/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`,
      apiKey,
      undefined,
      signal,
    );
    return parseKieRecord(data);
  }

  /** Remaining account credits. */
  async credit(apiKey: string, signal?: AbortSignal): Promise<number> {
    return Number(await this.call<number>('GET', '/api/v1/chat/credit', apiKey, undefined, signal));
  }

  /**
   * Polls recordInfo with backoff until the task ends (for callers that can wait in-process;
   * the worker re-checks with delayed jobs instead of holding a slot).
   */
  async waitForResult(
    apiKey: string,
    taskId: string,
    options: { initialMs?: number; maxMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<KieTaskRecord> {
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    for (let polls = 0; ; polls += 1) {
      const record = await this.recordInfo(apiKey, taskId, options.signal);
      if (isKieTerminal(record.state)) return record;
      if (Date.now() >= deadline)
        throw new ProviderError('timeout', `kie task ${taskId} did not finish in time`);
      const delay = kiePollDelay(polls, options.initialMs, options.maxMs);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delay);
        options.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(options.signal?.reason ?? new Error('aborted'));
          },
          { once: true },
        );
      });
    }
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    apiKey: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const kind = timeout.aborted ? 'timeout' : 'upstream_error';
      throw new ProviderError(kind, `kie request failed: ${(error as Error).message}`);
    }
    const text = await response.text();
    type KieBody = { code?: unknown; msg?: unknown; message?: unknown; data?: unknown };
    const parsed = ((): KieBody | null => {
      try {
        const value: unknown = JSON.parse(text);
        return value && typeof value === 'object' ? (value as KieBody) : null;
      } catch {
        return null;
      }
    })();
    // The body code is authoritative; fall back to the HTTP status when there is none.
    const code = typeof parsed?.code === 'number' ? parsed.code : Number(parsed?.code ?? response.status);
    if (code !== 200) {
      // kie answers `msg` (its docs and the sandbox); some gateways say `message`.
      const message = String(
        parsed?.msg ?? parsed?.message ?? (text.slice(0, 200) || `HTTP ${response.status}`),
      );
      throw new ProviderError(kieFailureKind(code), message, code);
    }
    return parsed?.data as T;
  }
}
