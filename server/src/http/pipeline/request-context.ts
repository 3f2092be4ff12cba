import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig, Logger } from '@dreamloom/core';
import type { Exchange, Next } from './exchange.js';

/** This process's prefix for request ids: unique per process start, then a counter. */
const requestIdPrefix = randomBytes(6).toString('hex');
let requestCounter = 0;

/**
 * The caller's X-Request-Id when it is well-formed, else a new one. A counter behind a random
 * per-process prefix is unique enough to find a request in the logs, and it costs no entropy per
 * request (randomUUID's refills showed in the chat burst's profile).
 */
export function requestIdOf(incoming: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(incoming)) return incoming;
  requestCounter += 1;
  return `${requestIdPrefix}-${requestCounter.toString(36)}`;
}

/**
 * Stage: the request id (from X-Request-Id or new, echoed in the answer) and `state.log`, a child
 * logger carrying it. The child logger (with its redaction setup) is built on first use: most
 * requests log nothing but the access line, which is skipped entirely when info is off.
 */
export function requestContext(x: Exchange, next: Next) {
  const requestId = requestIdOf(x.get('x-request-id'));
  x.state.requestId = requestId;
  x.set('X-Request-Id', requestId);
  const root = x.core.logger;
  let log: Logger | undefined;
  Object.defineProperty(x.state, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (log ??= root.child({ requestId })),
    set: (value: Logger) => {
      log = value;
    },
  });
  return next();
}

/**
 * The client's address as Koa's `ctx.ip` gives it for this app (proxy = TRUST_PROXY, maxIpsCount =
 * TRUST_PROXY_HOPS), for requests served outside Koa: the peer address unless proxies are trusted,
 * then the leftmost of the X-Forwarded-For entries the trusted hops appended.
 */
export function clientIp(config: AppConfig, req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '';
  if (!config.TRUST_PROXY) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(/\s*,\s*/)
    .filter(Boolean)
    .slice(-config.TRUST_PROXY_HOPS);
  return forwarded[0] ?? peer;
}
