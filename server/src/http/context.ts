import type { Actor, Core, Logger } from '@dreamloom/core';
import type { ParameterizedContext } from 'koa';
import type { RouterContext } from '@koa/router';
import type { StoryRateLimit } from './pipeline/admission.js';

export interface AppState {
  requestId: string;
  log: Logger;
  actor?: Actor;
  /** Set when the actor came through the bots' credential. */
  via?: 'token' | 'bot';
  token?: string;
  /** Set by an event stream: cancels it unsent (aborts its signal) when the request fails late. */
  cancelReply?: (reason: Error) => void;
  /** Set by an event stream: sends what it has written so far once the middleware has settled. */
  commitResponse?: () => void;
}

export interface AppContextExtras {
  core: Core;
  /** Contract 002's rate limit with this server's view of each user's window. */
  storyRateLimit: StoryRateLimit;
}

export type AppContext = ParameterizedContext<AppState, AppContextExtras>;
export type AppRouterContext = RouterContext<AppState, AppContextExtras>;
