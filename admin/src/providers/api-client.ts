import type { HttpError } from '@refinedev/core';

/**
 * The one place that talks HTTP to the Dreamloom server: adds the staff bearer token, unwraps the
 * `{code, message, data}` envelope of contract 003 and the staff auth routes, and turns any failure
 * into a Refine `HttpError` so notifications show the server's own message.
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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

interface Envelope<T> {
  code?: number;
  message?: string;
  data?: T;
}

export function isHttpError(error: unknown): error is HttpError {
  return typeof error === 'object' && error !== null && 'statusCode' in error && 'message' in error;
}

function httpError(statusCode: number, message: string): HttpError {
  return { statusCode, message };
}

/** JSON accepted, plus the staff bearer token when signed in. */
function baseHeaders(extra?: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
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

/** Calls an enveloped endpoint and returns `data` (and the envelope's message for toasts). */
export async function request<T>(
  path: string,
  options: RequestOptions = {},
): Promise<{ data: T; message: string }> {
  const headers = baseHeaders(options.headers);
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw httpError(0, error instanceof Error ? error.message : 'Network error');
  }

  const text = await response.text();
  let envelope: Envelope<T> | undefined;
  try {
    envelope = text ? (JSON.parse(text) as Envelope<T>) : undefined;
  } catch {
    envelope = undefined;
  }

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
 * Posts one file as multipart field `file` to an endpoint that answers a bare JSON object (the
 * story family); an error's `detail` (or `message`) becomes the HttpError's message.
 */
export async function uploadFile<T>(path: string, file: Blob, filename: string): Promise<T> {
  const form = new FormData();
  form.append('file', file, filename);
  const response = await fetch(buildUrl(path), { method: 'POST', headers: baseHeaders(), body: form }).catch(
    (error: unknown) => {
      throw httpError(0, error instanceof Error ? error.message : 'Network error');
    },
  );
  const text = await response.text();
  let body: { detail?: string; message?: string } & Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as typeof body) : {};
  } catch {
    body = {};
  }
  if (!response.ok)
    throw httpError(
      response.status,
      body.detail || body.message || text.slice(0, 200) || `HTTP ${response.status}`,
    );
  return body as T;
}
