import { PassThrough } from 'node:stream';
import type { AppContext } from './context.js';

export interface SseChannel {
  /** Aborted when the client goes away; pass it to the LLM call. */
  signal: AbortSignal;
  /** Writes one event; `data` is sent as JSON unless it is a string. */
  send(data: unknown, event?: string): void;
  close(): void;
  /** Ends the stream unsent: aborts `signal` with `reason` (a refusal decided after the handler ran). */
  cancel(reason: Error): void;
}

/**
 * Turns the response into a Server-Sent Events stream: no buffering (proxies included), one
 * write per event, and an AbortSignal that fires when the client disconnects.
 */
export function openSse(ctx: AppContext): SseChannel {
  const controller = new AbortController();
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.status = 200;
  ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('Connection', 'keep-alive');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = stream;
  let closed = false;
  ctx.res.on('close', () => {
    if (!closed) controller.abort();
    closed = true;
  });
  return {
    signal: controller.signal,
    send(data, event) {
      if (closed) return;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      stream.write(`${event ? `event: ${event}\n` : ''}data: ${text}\n\n`);
    },
    close() {
      if (closed) return;
      closed = true;
      stream.end();
    },
    cancel(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
      if (closed) return;
      closed = true;
      stream.end();
    },
  };
}
