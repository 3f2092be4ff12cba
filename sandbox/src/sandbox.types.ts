export type ProviderName = 'jimeng' | 'kie' | 'gemini' | 'openai';

export const PROVIDERS: readonly ProviderName[] = ['jimeng', 'kie', 'gemini', 'openai'];

/**
 * One injected failure. Faults are consumed in the order they were injected: the first pending
 * fault whose provider, credential and endpoint match the request fires and its count drops by one.
 */
export interface FaultSpec {
  provider: ProviderName;
  /** Only requests made with this credential (Jimeng session id, API key); any when omitted. */
  credential?: string;
  /** Only this endpoint, named as in `stats()` (e.g. `images/generations`, `createTask`). */
  endpoint?: string;
  /** A provider error code: Jimeng `-2001`, kie body code `402`, Gemini/OpenAI HTTP status `429`. */
  code?: number;
  /** A named failure; see README for each provider's list. Either `code` or `kind` is required. */
  kind?: string;
  /** How many requests this fault fires for. Default 1. */
  count?: number;
  /** Replaces the realistic default message. */
  message?: string;
  /** kie only: the HTTP status sent with the body code. Default 200, as kie does. */
  httpStatus?: number;
  /** Answer after this many ms instead of the normal latency. */
  delayMs?: number;
}

/** Runtime-adjustable knobs (all also settable through `POST /__sandbox/settings`). */
export interface SandboxSettings {
  /** Base latency of generation calls. */
  latencyMs: number;
  /** Multiplies real output pixel sizes. */
  imageScale: number;
  /** Images returned per Jimeng image call (the real service usually returns 4). */
  jimengImagesPerCall: number;
  /** Lifetime of signed Jimeng file URLs. */
  jimengUrlTtlSec: number;
  /** Delay before the first streamed chat token. */
  chatFirstTokenMs: number;
  /** Interval between streamed chat chunks. */
  chatChunkIntervalMs: number;
  /** Tokens per streamed chat chunk. */
  chatTokensPerChunk: number;
  /** kie webhook HMAC key; callbacks are signed only when set. */
  kieWebhookKey: string | null;
}

/** A caller asked for something the sandbox cannot do (bad fault, bad setting); a 400 over HTTP. */
export class SandboxInputError extends Error {}
