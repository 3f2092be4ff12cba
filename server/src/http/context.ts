import type { Actor, Core, Logger } from '@dreamloom/core';
import type { ParameterizedContext } from 'koa';
import type { RouterContext } from '@koa/router';

export interface AppState {
  requestId: string;
  log: Logger;
  actor?: Actor;
  /** Set when the actor came through the bots' credential. */
  via?: 'token' | 'bot';
  token?: string;
  /** Set by a streaming reply: cancels it (aborts the stream) when the request is refused late. */
  cancelReply?: (reason: Error) => void;
}

export interface AppContextExtras {
  core: Core;
}

export type AppContext = ParameterizedContext<AppState, AppContextExtras>;
export type AppRouterContext = RouterContext<AppState, AppContextExtras>;
