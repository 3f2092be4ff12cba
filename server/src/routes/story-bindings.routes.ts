import {
  bindBody,
  bindResponse,
  bindingQuery,
  endBindingBody,
  endBindingResponse,
  findBindingResponse,
} from '@dreamloom/contracts';
import { ForbiddenError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { actorOf, storyRouter } from './story-shared.js';

/**
 * Platform places are the bots' business: only a caller that came through the bot credential
 * names one, and the platform is the one the bot authenticated the user on (X-Platform), so a
 * web token cannot read or end what a Discord thread plays.
 */
function platformOf(ctx: AppRouterContext): string {
  if (ctx.state.via !== 'bot') throw new ForbiddenError('Only the bots bind platform channels');
  return ctx.get('x-platform');
}

/**
 * Contract 002 addition for the bots: which conversation a Discord thread or a Telegram chat
 * (or forum topic) plays, kept by the server so bots restart and scale without losing stories.
 */
export function storyBindingRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  const tag = 'story-chat';

  registry.add(router, {
    method: 'get',
    path: '/api/v1/story_chat/bindings',
    tag,
    summary: 'Bots: the story a platform place plays ({binding: null} when none)',
    role: 'user',
    query: bindingQuery,
    response: findBindingResponse,
    handler: async (ctx, { actor, query }) => ({
      binding: await ctx.core.story.bindings.find(actorOf(actor), platformOf(ctx), query.channel),
    }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/bindings',
    tag,
    summary: 'Bots: start a story in a platform place (409 while one runs there); returns the openings',
    role: 'user',
    body: bindBody,
    response: bindResponse,
    handler: (ctx, { actor, body }) =>
      ctx.core.story.bindings.bind(actorOf(actor), {
        platform: platformOf(ctx),
        channel: body.channel,
        parentChannel: body.parent_channel,
        storyId: body.story_id,
      }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/bindings/end',
    tag,
    summary:
      'Bots: end the story of a platform place (its conversation too; 404 when none runs); only its starter, staff, or a moderator of the place the bot vouches for (moderator: true), else 403 NOT_STORY_STARTER',
    role: 'user',
    body: endBindingBody,
    response: endBindingResponse,
    handler: async (ctx, { actor, body }) => ({
      binding: await ctx.core.story.bindings.end(actorOf(actor), platformOf(ctx), body.channel, {
        placeModerator: body.moderator === true,
      }),
    }),
  });
  return router;
}
