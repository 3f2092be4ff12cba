import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { OutboundNetworkError, OutboundRefusedError } from './outbound-errors.js';

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Connect-time address check (the socket resolves through it; IP literals skip it). */
  lookup: LookupFunction;
  signal: AbortSignal;
  maxBytes: number;
}

/** Statuses whose Response must have a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function refusal(error: unknown): OutboundRefusedError | undefined {
  if (error instanceof OutboundRefusedError) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof OutboundRefusedError ? cause : undefined;
}

/** Turns a socket failure into an error naming only its code (never anything the peer sent). */
export function networkError(url: URL, error: unknown, signal: AbortSignal): Error {
  const refused = refusal(error);
  if (refused) return refused;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof OutboundRefusedError) return reason;
    if ((reason as { name?: string } | undefined)?.name === 'TimeoutError')
      return new OutboundRefusedError(`request to ${url.origin} timed out`, 'timeout');
    return reason instanceof Error ? reason : new Error('aborted');
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new OutboundNetworkError(`request to ${url.origin} failed${code ? ` (${code})` : ''}`, code);
}

/**
 * The answer's body as a web stream that errors once it passes `maxBytes` (the socket is then
 * dropped). Hand-made rather than Readable.toWeb: cancelling that one while data is still
 * arriving throws "Controller is already closed" out of an event handler.
 */
function cappedBody(
  incoming: IncomingMessage,
  url: URL,
  signal: AbortSignal,
  maxBytes: number,
): ReadableStream<Uint8Array> {
  let size = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: Error) => {
        if (done) return;
        done = true;
        controller.error(error);
        incoming.destroy();
      };
      incoming.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > maxBytes)
          return fail(
            new OutboundRefusedError(`answer of ${url.origin} is larger than ${maxBytes} bytes`, 'too_large'),
          );
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      });
      incoming.on('end', () => {
        if (done) return;
        done = true;
        controller.close();
      });
      incoming.on('error', (error) => fail(networkError(url, error, signal)));
      incoming.on('aborted', () => fail(networkError(url, new Error('aborted'), signal)));
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      done = true;
      incoming.destroy();
    },
  });
}

/**
 * One HTTP exchange on node:http(s), no redirects followed, on a fresh socket (`agent: false`, so
 * no pooled socket opened without this lookup is reused). The answer is a WHATWG Response whose
 * body stream errors once it passes `maxBytes`.
 */
export function exchange(request: ExchangeRequest): Promise<Response> {
  const { url, signal, maxBytes } = request;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const outgoing = client.request(
      url,
      {
        method: request.method,
        headers: request.headers,
        lookup: request.lookup,
        agent: false,
        signal,
      },
      (incoming) => {
        const status = incoming.statusCode ?? 0;
        const length = Number(incoming.headers['content-length'] ?? 0);
        if (length > maxBytes) {
          incoming.destroy();
          return reject(
            new OutboundRefusedError(`answer of ${url.origin} is larger than ${maxBytes} bytes`, 'too_large'),
          );
        }
        const headers = new Headers();
        for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
          try {
            headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          } catch {
            // A header WHATWG Headers refuses (invalid characters) is dropped.
          }
        }
        const body =
          NULL_BODY.has(status) || request.method === 'HEAD'
            ? null
            : cappedBody(incoming, url, signal, maxBytes);
        if (!body) incoming.resume();
        if (status < 200 || status > 599) {
          incoming.destroy();
          return reject(new OutboundNetworkError(`request to ${url.origin} answered status ${status}`));
        }
        resolve(new Response(body, { status, statusText: incoming.statusMessage ?? '', headers }));
      },
    );
    outgoing.on('error', (error) => reject(networkError(url, error, signal)));
    outgoing.end(request.body);
  });
}
