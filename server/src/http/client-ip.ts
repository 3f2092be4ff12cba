import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '@dreamloom/core';

/**
 * The client's address as Koa's `ctx.ip` gives it for this app (proxy = TRUST_PROXY, maxIpsCount =
 * TRUST_PROXY_HOPS), for responses written outside Koa: the peer address unless proxies are trusted,
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
