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
}

export interface AppContextExtras {
  core: Core;
}

export type AppContext = ParameterizedContext<AppState, AppContextExtras>;
export type AppRouterContext = RouterContext<AppState, AppContextExtras>;
