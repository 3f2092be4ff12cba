import type { HttpError } from '@refinedev/core';

/**
 * The one place that talks HTTP to the Dreamloom server. One function makes every request: base
 * URL, query string, the staff bearer token, a JSON or multipart body, and a network failure as a
 * Refine `HttpError`. The contract families answer in different envelopes, so each has a small decoder
 * that takes the answer apart and turns a failure into an `HttpError` carrying the server's own
 * message (notifications show it):
 * - `request`: `{code, message, data}` (contract 003, 004 and the staff auth routes);
 * - `requestSuccess`: `{success, data}` / `{success: false, error}` or bare JSON (contracts 000/001);
 * - `requestBare` and `uploadFile`: bare JSON, errors as `{detail}` (contract 002, story);
 * - `download`: a file (a streamed ZIP), errors as JSON or text.
 */

/** Same origin in production (the server serves the admin at /admin); overridable for odd setups. */
export const API_URL: string = (import.meta.env.VITE_API_URL as string | undefined) ?? '';

const TOKEN_KEY = 'dreamloom.admin.token';

export const tokenStore = {
  get(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    localStorage.removeItem(TOKEN_KEY);
  },
};

export type QueryValue = string | number | boolean | null | undefined;

interface Envelope<T> {
  code?: number;
  message?: string;
  data?: T;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  query?: Record<string, QueryValue>;
  /** Sent as JSON; a FormData goes as multipart. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One answer, read: the response, its text and that text as JSON (undefined if it is not JSON). */
export interface Answer {
  response: Response;
  text: string;
  json: unknown;
}

export function isHttpError(error: unknown): error is HttpError {
  return typeof error === 'object' && error !== null && 'statusCode' in error && 'message' in error;
}

function httpError(statusCode: number, message: string): HttpError {
  return { statusCode, message };
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API_URL}${path}${qs ? `?${qs}` : ''}`;
}

/** Makes the request; only a failure to reach the server throws (an abort is passed on as it is). */
async function open(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  const form = options.body instanceof FormData;
  if (options.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: form
        ? (options.body as FormData)
        : options.body === undefined
          ? undefined
          : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw httpError(0, error instanceof Error ? error.message : 'Network error');
  }
}

/** Makes the request and reads the answer; the decoders below judge it. */
export async function send(path: string, options: RequestOptions = {}): Promise<Answer> {
  const response = await open(path, options);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { response, text, json };
}

/**
 * Fetches a file (e.g. a streamed ZIP) as a Blob. Errors may arrive as JSON `{message}` or, once a
 * stream has begun, as text/plain (contract 004); either becomes the HttpError's message.
 */
export async function download(path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await open(path, { ...options, headers: { Accept: '*/*', ...options.headers } });
  if (response.ok) return response.blob();
  const text = await response.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // text/plain
  }
  throw httpError(response.status, message || `HTTP ${response.status}`);
}

/** Calls a `{code, message, data}` endpoint and returns `data` (and the envelope's message for toasts). */
export async function request<T>(
  path: string,
  options: RequestOptions = {},
): Promise<{ data: T; message: string }> {
  const { response, text, json } = await send(path, options);
  const envelope = json as Envelope<T> | undefined;
  // Some families answer errors with HTTP 200 and a non-200 code; trust whichever says "failed".
  const code = typeof envelope?.code === 'number' ? envelope.code : response.status;
  // Contract 004 (NanoBanana) says success with `code: 0`; the others with 200.
  const succeeded = code === 200 || (code === 0 && typeof envelope?.code === 'number');
  if (!response.ok || !succeeded) {
    const status = response.ok ? code : response.status;
    const message = envelope?.message || text.slice(0, 200) || response.statusText || `HTTP ${status}`;
    throw httpError(status, message);
  }
  return { data: envelope?.data as T, message: envelope?.message ?? '' };
}

/**
 * Calls a contract 000/001 endpoint: unwraps `{success: true, data}`, passes bare JSON through
 * (quote, status), and fails with `{success: false, error: {code, message}}`'s message and code.
 */
export async function requestSuccess<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { response, text, json } = await send(path, options);
  const envelope = json as
    { success?: boolean; data?: T; error?: { code?: string; message?: string } } | undefined;
  if (!response.ok || envelope?.success === false) {
    const message = envelope?.error?.message || text.slice(0, 200) || response.statusText;
    throw {
      statusCode: response.ok ? 400 : response.status,
      message: message || `HTTP ${response.status}`,
      ...(envelope?.error?.code ? { errors: { code: envelope.error.code } } : {}),
    } as HttpError;
  }
  return (typeof envelope?.success === 'boolean' ? envelope.data : json) as T;
}

/** Calls a bare-JSON endpoint (contract 002); an error carries the server's `detail`. */
export async function requestBare<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { response, json } = await send(path, options);
  if (!response.ok) {
    const detail = (json as { detail?: unknown } | undefined)?.detail;
    throw httpError(response.status, typeof detail === 'string' ? detail : response.statusText);
  }
  return json as T;
}

/**
 * Posts one file as multipart field `file` to an endpoint that answers a bare JSON object (the
 * story family); an error's `detail` (or `message`) becomes the HttpError's message.
 */
export async function uploadFile<T>(path: string, file: Blob, filename: string): Promise<T> {
  const form = new FormData();
  form.append('file', file, filename);
  const { response, text, json } = await send(path, { method: 'POST', body: form });
  const body = (json ?? {}) as { detail?: string; message?: string } & Record<string, unknown>;
  if (!response.ok)
    throw httpError(
      response.status,
      body.detail || body.message || text.slice(0, 200) || `HTTP ${response.status}`,
    );
  return body as T;
}
