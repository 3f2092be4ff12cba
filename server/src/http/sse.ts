import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** An event stream on a raw response, plus the two hooks its transport calls. */
export interface SseStream extends SseChannel {
  /** The request's checks have all passed: send the status line and the events so far. */
  commit(): void;
}

const SSE_HEADERS: Array<[string, string]> = [
  ['Content-Type', 'text/event-stream; charset=utf-8'],
  ['Cache-Control', 'no-cache, no-transform'],
  ['Connection', 'keep-alive'],
  ['X-Accel-Buffering', 'no'],
];

/**
 * Turns a response into a Server-Sent Events stream: no buffering (proxies included), one
 * write per event, and an AbortSignal that fires when the client disconnects.
 *
 * Events are written straight to the response (no stream body for a framework to pipe: measured
 * at 50 concurrent replies, a PassThrough and its pipeline were a visible share of each request's
 * CPU and of every relayed chunk). Until `commit` the events wait in memory, since a late refusal
 * (the rate limit's verdict) must still be answered as a plain HTTP error: `cancel` before the
 * commit leaves the response untouched and calls `onCancelledUnsent` to answer it.
 */
export function createSseStream(
  req: IncomingMessage,
  res: ServerResponse,
  onCancelledUnsent: () => void,
): SseStream {
  const controller = new AbortController();
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);
  for (const [name, value] of SSE_HEADERS) res.setHeader(name, value);
  /** Events written before the response is committed; null once it is. */
  let pending: string[] | null = [];
  let cancelled = false;
  let closed = false;
  let gone = false;
  res.on('close', () => {
    gone = true;
    if (!closed) controller.abort();
    closed = true;
  });
  let committing = false;
  const flush = () => {
    if (!pending || cancelled) return;
    const buffered = pending.join('');
    pending = null;
    if (gone) return;
    res.writeHead(200);
    if (buffered) res.write(buffered);
    if (closed) res.end();
  };
  return {
    signal: controller.signal,
    // The status line and the events so far go out after this turn of the event loop: requests
    // parsed in the same turn send their upstream calls first (nothing here is time-critical; the
    // first token is hundreds of ms away). Events sent meanwhile join the same write.
    commit() {
      if (committing || !pending || cancelled) return;
      committing = true;
      setImmediate(flush);
    },
    send(data, event) {
      if (closed) return;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      const frame = `${event ? `event: ${event}\n` : ''}data: ${text}\n\n`;
      if (pending) pending.push(frame);
      else res.write(frame);
    },
    close() {
      if (closed) return;
      closed = true;
      if (!pending && !gone) res.end();
    },
    cancel(reason) {
      if (cancelled) return;
      if (!controller.signal.aborted) controller.abort(reason);
      closed = true;
      // Committed (or about to be): the stream just ends.
      if (!pending || committing) {
        if (!pending && !gone && !res.writableEnded) res.end();
        return;
      }
      // Not sent yet: the transport answers with an error instead.
      cancelled = true;
      pending = null;
      for (const [name] of SSE_HEADERS) res.removeHeader(name);
      onCancelledUnsent();
    },
  };
}

/**
 * The event stream of a Koa request. errorBoundary commits it once the middleware has settled
 * (`ctx.state.commitResponse`) or cancels it when the request failed (`ctx.state.cancelReply`),
 * in which case Koa answers with the error body again.
 */
export function openSse(ctx: AppContext): SseChannel {
  ctx.status = 200;
  ctx.respond = false;
  const stream = createSseStream(ctx.req, ctx.res, () => {
    ctx.respond = true;
  });
  ctx.state.commitResponse = () => stream.commit();
  ctx.state.cancelReply = (reason) => stream.cancel(reason);
  return stream;
}
