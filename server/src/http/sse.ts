import type { IncomingMessage, ServerResponse } from 'node:http';
import { SharedTick } from '@dreamloom/core';
import type { Exchange } from './pipeline/exchange.js';

/**
 * After a stream's first data event, later ones are written together every this many ms. The
 * first token is what a reader waits for; after it, 25 updates a second read as smooth text, and
 * one socket write per period instead of one per upstream chunk frees the CPU for the other
 * streams' first tokens (at 50 concurrent replies, relaying was most of the server's work).
 */
const COALESCE_MS = 40;
const coalesceTick = new SharedTick(COALESCE_MS);

/**
 * How long the status line may wait for the first data event once the request's checks have
 * passed. It normally goes out with that first token, in the same write: when many replies start
 * together, their status lines no longer take turns with the other requests still being parsed.
 * A slow model still gets its status line (and `start` event) after this long.
 */
const HEAD_WAIT_MS = 100;

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
 * Turns a response into a Server-Sent Events stream: no buffering (proxies included), named
 * events and the first data event written at once, later data events coalesced (COALESCE_MS),
 * and an AbortSignal that fires when the client disconnects.
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
  /** Counts the stream as open once its status line is out; returns what counts it closed. */
  countOpen: () => () => void,
): SseStream {
  const controller = new AbortController();
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);
  for (const [name, value] of SSE_HEADERS) res.setHeader(name, value);
  /** Events written before the response is committed; null once it is. */
  let pending: string[] | null = [];
  /** Data events after the first, waiting for the next coalescing tick. */
  let later: string[] = [];
  let firstDataSent = false;
  const writeLater = () => {
    coalesceTick.cancel(writeLater);
    if (!later.length) return;
    const text = later.join('');
    later = [];
    if (!gone) res.write(text);
  };
  let cancelled = false;
  let closed = false;
  let gone = false;
  let countClosed: (() => void) | undefined;
  res.on('close', () => {
    countClosed?.();
    gone = true;
    if (!closed) controller.abort();
    closed = true;
  });
  let committing = false;
  let pendingData = false;
  let headTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(headTimer);
    if (!pending || cancelled) return;
    const buffered = pending.join('');
    pending = null;
    // A data event that went out with the status line was the first one: later ones coalesce.
    firstDataSent = pendingData;
    if (gone) return;
    res.writeHead(200);
    countClosed = countOpen();
    if (buffered) res.write(buffered);
    if (closed) res.end();
  };
  return {
    signal: controller.signal,
    // The status line and the events so far go out with the first data event, or HEAD_WAIT_MS
    // from now if it is slower (see HEAD_WAIT_MS).
    commit() {
      if (committing || !pending || cancelled) return;
      committing = true;
      if (pendingData) return flush();
      headTimer = setTimeout(flush, HEAD_WAIT_MS);
    },
    send(data, event) {
      if (closed) return;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      const frame = `${event ? `event: ${event}\n` : ''}data: ${text}\n\n`;
      if (pending) {
        pending.push(frame);
        if (!event) pendingData = true;
        if (!event && committing) flush();
        return;
      }
      if (!event && firstDataSent) {
        later.push(frame);
        coalesceTick.schedule(writeLater);
        return;
      }
      if (!event) firstDataSent = true;
      // Named events (start, end, error) keep their place after the data before them.
      writeLater();
      res.write(frame);
    },
    close() {
      if (closed) return;
      closed = true;
      if (pending && committing) return flush();
      writeLater();
      if (!pending && !gone) res.end();
    },
    cancel(reason) {
      if (cancelled) return;
      if (!controller.signal.aborted) controller.abort(reason);
      closed = true;
      // Committed (or about to be): the stream just ends.
      if (!pending || committing) {
        // Accepted but nothing sent yet: what it has goes out, then the end (flush ends it).
        if (pending) return flush();
        writeLater();
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
 * The event stream of a request, on either transport. The error boundary commits it once the
 * stages have settled (`state.commitResponse`) or cancels it when the request failed
 * (`state.cancelReply`), in which case the transport answers with the error body again.
 */
export function openSse(x: Exchange): SseChannel {
  x.status = 200;
  x.respond = false;
  const stream = createSseStream(
    x.req,
    x.res,
    () => {
      x.respond = true;
    },
    x.core.metrics.connections.sseOpened,
  );
  x.state.commitResponse = () => stream.commit();
  x.state.cancelReply = (reason) => stream.cancel(reason);
  return stream;
}
