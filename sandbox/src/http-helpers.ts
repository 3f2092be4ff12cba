import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Context } from 'koa';

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error `sleep` and other waits reject with when their signal aborts. */
export function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Aborts when the client goes away before we answered, or when the sandbox shuts down, so a
 * held "synchronous generation" stops costing anything once nobody waits for it.
 */
export function requestSignal(ctx: Context, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (shutdown.aborted) controller.abort();
  // Linked by hand rather than with AbortSignal.any, which costs a dependent-signal registry entry per request.
  const onShutdown = () => controller.abort();
  shutdown.addEventListener('abort', onShutdown, { once: true });
  ctx.res.once('close', () => {
    shutdown.removeEventListener('abort', onShutdown);
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The credential in `Authorization: Bearer <x>` (scheme case-insensitive), or undefined. */
export function bearerToken(ctx: Context): string | undefined {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1].trim() : undefined;
}

/** Demo markers such as `[sandbox:content-blocked]` or `[sandbox:-2009]` inside prompts. */
export function promptMarker(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return /\[sandbox:([a-z0-9-]+)\]/i.exec(text)?.[1]?.toLowerCase();
}

export function hashString(input: string): number {
  return createHash('sha1').update(input).digest().readUInt32BE(0);
}

/** Small deterministic PRNG (mulberry32) so the same request gets the same fake answer. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length];
}

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Masks a credential for log lines: `abcd…wxyz`. */
export function maskSecret(secret: string): string {
  return secret.length <= 10 ? `${secret.slice(0, 2)}…` : `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}

export interface ParsedBody {
  /** JSON body, or multipart text fields (repeated fields become arrays, as koa-body does). */
  fields: Record<string, unknown>;
  /** Multipart files by field name. */
  files: Record<string, Buffer[]>;
  multipart: boolean;
}

/** Reads JSON (already parsed by bodyparser) or multipart/form-data (via the built-in Request). */
export async function readBody(ctx: Context): Promise<ParsedBody> {
  if (!ctx.is('multipart/form-data')) {
    const body = ctx.request.body;
    return { fields: isRecord(body) ? body : {}, files: {}, multipart: false };
  }
  const request = new Request('http://sandbox.invalid/', {
    method: 'POST',
    headers: { 'content-type': ctx.get('content-type') },
    body: Readable.toWeb(ctx.req) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const form = await request.formData();
  const fields: Record<string, unknown> = {};
  const files: Record<string, Buffer[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      const existing = fields[name];
      fields[name] = existing === undefined ? value : ([] as unknown[]).concat(existing, value);
    } else {
      (files[name] ??= []).push(Buffer.from(await value.arrayBuffer()));
    }
  }
  return { fields, files, multipart: true };
}
