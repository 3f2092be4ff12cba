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
 *
 * Events are written straight to the response rather than through a stream body that Koa pipes:
 * measured at 50 concurrent replies, the PassThrough and the pipeline Koa builds for it were a
 * visible share of each request's CPU and of every relayed chunk. Until the request's middleware
 * has settled (`ctx.state.commitResponse`, called by errorBoundary) the events wait in memory,
 * since a late refusal (the rate limit's verdict) must still be answered as a plain HTTP error.
 */
export function openSse(ctx: AppContext): SseChannel {
  const controller = new AbortController();
  const res = ctx.res;
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.status = 200;
  ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('Connection', 'keep-alive');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.respond = false;
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
  // The status line and the events so far go out after this turn of the event loop: requests
  // parsed in the same turn send their upstream calls first (nothing here is time-critical; the
  // first token is hundreds of ms away). Events sent meanwhile join the same write.
  ctx.state.commitResponse = () => {
    if (committing || !pending || cancelled) return;
    committing = true;
    setImmediate(flush);
  };
  const channel: SseChannel = {
    signal: controller.signal,
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
      // Not sent yet: Koa answers with whatever the error handler sets instead.
      cancelled = true;
      pending = null;
      ctx.respond = true;
    },
  };
  ctx.state.cancelReply = (reason) => channel.cancel(reason);
  return channel;
}
