import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '@dreamloom/core';
import type { AppContextExtras, AppState } from '../context.js';
import type { StoryRateLimit } from './admission.js';
import type { Exchange } from './exchange.js';
import { clientIp } from './request-context.js';

const NO_QUERY: Readonly<Record<string, never>> = Object.freeze({});

/**
 * An {@link Exchange} on a raw Node request, for a transport beside Koa that serves one exact path
 * (no query string). Like Koa, the status starts at 404 and headers set after the status line are
 * ignored; the transport writes `body` itself (see {@link NodeExchange.answer}).
 */
export class NodeExchange implements Exchange {
  readonly core: Core;
  readonly storyRateLimit: StoryRateLimit;
  readonly state = {} as AppState;
  readonly request: { body?: unknown } = {};
  readonly query = NO_QUERY;
  body: unknown = undefined;
  respond?: boolean;
  _matchedRoute?: string;

  constructor(
    app: AppContextExtras,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
  ) {
    this.core = app.core;
    this.storyRateLimit = app.storyRateLimit;
    res.statusCode = 404;
  }

  get method() {
    return this.req.method ?? 'GET';
  }

  get originalUrl() {
    return this.req.url ?? this.path;
  }

  get ip() {
    return clientIp(this.core.config, this.req);
  }

  get status() {
    return this.res.statusCode;
  }

  set status(code: number) {
    if (!this.res.headersSent) this.res.statusCode = code;
  }

  get(name: string): string {
    const value = this.req.headers[name.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  }

  set(name: string, value: string) {
    if (!this.res.headersSent) this.res.setHeader(name, value);
  }

  /**
   * Writes the answer the stages left, as Koa would: `body` as JSON, unless an event stream is
   * writing the response itself (`respond` false) or the response has already gone out.
   */
  answer() {
    const res = this.res;
    if (this.respond === false || res.headersSent) return;
    if (this.body === undefined) return void res.end();
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(this.body));
  }

  /** What Koa does with an error no stage answered: a bare 500 (or a cut connection once sent). */
  fail() {
    const res = this.res;
    if (res.headersSent) return void res.destroy();
    res.statusCode = 500;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Internal Server Error');
  }
}
