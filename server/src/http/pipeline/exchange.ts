import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '@dreamloom/core';
import type { AppState } from '../context.js';
import type { StoryRateLimit } from './admission.js';

/**
 * One request as the pipeline's stages see it: the part of Koa's context they use. A Koa context
 * is one as it stands (so every stage is also Koa middleware, at no cost), and the
 * generate-response fast path builds one on the raw request (`NodeExchange`).
 */
export interface Exchange {
  readonly core: Core;
  /** This server's view of the story rate-limit windows (per app, not per module). */
  readonly storyRateLimit: StoryRateLimit;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The path without its query string. */
  readonly path: string;
  /** The URL as it arrived (a middleware may rewrite `path`). */
  readonly originalUrl: string;
  readonly query: unknown;
  /** The client's address: the peer, or X-Forwarded-For only from trusted proxies (TRUST_PROXY). */
  readonly ip: string;
  /** `body`: the parsed request body, once a body reader has run. */
  readonly request: { body?: unknown };
  status: number;
  /** The answer's body (a JSON value); left unset by an event stream. */
  body: unknown;
  /** False while an event stream writes the response itself. */
  respond?: boolean;
  state: AppState;
  /** The route template that matched, if a router matched one. */
  _matchedRoute?: string | RegExp;
  /** A request header ('' when absent); the name is case-insensitive. */
  get(name: string): string;
  /** Sets a response header (ignored once the headers are sent). */
  set(name: string, value: string): void;
}

export type Next = () => Promise<unknown>;

/**
 * A step of every request: does its part, then `next()` (or answers/throws instead). A stage that
 * needs nothing after the steps inside it returns `next()` without awaiting it.
 */
export type Stage = (x: Exchange, next: Next) => unknown;

const done = Promise.resolve();

/**
 * The stages as one function, outermost first (what koa-compose does for Koa's middleware; used by
 * transports outside Koa). A stage that throws rejects the returned promise.
 */
export function compose(stages: readonly Stage[]): (x: Exchange) => Promise<unknown> {
  const count = stages.length;
  const dispatch = (x: Exchange, index: number): Promise<unknown> => {
    if (index === count) return done;
    try {
      return Promise.resolve(stages[index](x, () => dispatch(x, index + 1)));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (x) => dispatch(x, 0);
}
