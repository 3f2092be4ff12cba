import { z } from 'zod';
import { isAppError, type Actor, type Core, type Logger, type TurnListener } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { openSse, type SseChannel } from '../http/sse.js';
import { actorOf, storyRouter } from './story-shared.js';
import { storyId } from '../http/ids.js';

export const GENERATE_RESPONSE_PATH = '/api/v1/story_chat/generate-response';

const id = storyId;
const historyMessage = z.object({
  role: z.string().max(16),
  content: z.string().max(50_000),
  character_name: z.string().max(128).optional(),
});

/**
 * Streams a chat operation as Server-Sent Events: `speakers`, `start`, plain `data` deltas
 * (`{message_id, content}`), `end` (the stored message), `error`, then `data: [DONE]`.
 * Aborting the request aborts the LLM call.
 */
function pipeChat(
  sse: SseChannel,
  run: (listener: TurnListener, signal: AbortSignal) => Promise<unknown>,
  log: () => Logger,
): undefined {
  const listener: TurnListener = {
    onSpeakers: (speakers) => sse.send({ speakers }, 'speakers'),
    onStart: (start) => sse.send(start, 'start'),
    onDelta: (delta) => sse.send(delta),
    onEnd: (message) => sse.send(message, 'end'),
  };
  void (async () => {
    try {
      await run(listener, sse.signal);
      sse.send('[DONE]');
    } catch (error) {
      if (!sse.signal.aborted) {
        const detail = isAppError(error) && error.expose ? error.message : 'Generation failed';
        if (!isAppError(error)) log().error({ err: error }, 'chat stream failed');
        sse.send({ detail }, 'error');
      }
    } finally {
      sse.close();
    }
  })();
  return undefined;
}

function streamChat(
  ctx: AppRouterContext,
  run: (listener: TurnListener, signal: AbortSignal) => Promise<unknown>,
) {
  return pipeChat(openSse(ctx), run, () => ctx.state.log);
}

/** The body of `POST /api/v1/story_chat/generate-response` (also served by its fast path). */
export const generateResponseBody = z.object({
  history_length: z.number().int().min(1).max(200).optional(),
  character_id: id,
  user_message: z.string().max(20_000).optional(),
  history_messages: z.array(historyMessage).max(500).default([]),
  conversation_id: id.optional(),
  last_message_id: id.optional(),
  is_first_response: z.boolean().default(false),
});
export type GenerateResponseBody = z.infer<typeof generateResponseBody>;

/**
 * One character's reply as an event stream. Refusals (unknown conversation, not a participant,
 * character not in the cast) throw before the stream carries anything; everything the reply
 * needs is read before it opens. `openStream` is called once they have passed.
 */
export async function generateResponse(
  core: Core,
  user: Actor,
  body: GenerateResponseBody,
  openStream: () => SseChannel,
  log: () => Logger,
): Promise<undefined> {
  const chat = core.story.chat;
  if (!body.conversation_id) {
    const stateless = await chat.startStateless(user, {
      characterId: body.character_id,
      userMessage: body.user_message,
      history: body.history_messages,
      historyLength: body.history_length,
    });
    return pipeChat(openStream(), (listener, signal) => stateless.run(listener, signal), log);
  }
  const reply = await chat.startReply(user, {
    conversationId: body.conversation_id,
    characterId: body.character_id,
    historyLength: body.history_length,
    userMessage: body.is_first_response ? body.user_message : undefined,
  });
  return pipeChat(openStream(), (listener, signal) => reply.run(listener, signal), log);
}

export function storyChatRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  const tag = 'story-chat';

  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation',
    tag,
    summary: "Start a conversation of a story (the story's opening messages, or the given ones)",
    role: 'user',
    body: z.object({
      story_id: id,
      messages: z
        .array(z.object({ content: z.string().max(20_000), character_id: id }))
        .max(50)
        .optional(),
    }),
    handler: async (ctx, { actor, body }) => {
      const { conversation, lastMessageId } = await ctx.core.story.chat.createConversation(actorOf(actor), {
        storyId: body.story_id,
        messages: body.messages,
      });
      return {
        id: conversation.id,
        story_id: conversation.story_id,
        status: conversation.status,
        created_at: new Date(conversation.created_at).toISOString(),
        last_message_id: lastMessageId,
      };
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/conversation/:story_id',
    tag,
    summary: "The caller's active conversation of a story, or null",
    role: 'user',
    params: z.object({ story_id: id }),
    handler: async (ctx, { actor, params }) => ({
      conversation_id: await ctx.core.story.chat.findConversation(actorOf(actor), params.story_id),
    }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation/:id/end',
    tag,
    summary: 'End a conversation',
    role: 'user',
    params: z.object({ id }),
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.chat.endConversation(actorOf(actor), params.id);
      return { id: params.id, status: 'ended' };
    },
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation/:id/invite',
    tag,
    summary:
      'A participant makes a one-time invite code (24 h) into the conversation; give it to whoever should join',
    role: 'user',
    params: z.object({ id }),
    handler: (ctx, { actor, params }) => ctx.core.story.chat.invite(actorOf(actor), params.id),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation/join',
    tag,
    summary: 'Join a conversation with an invite code (spent on use; unknown, used or expired: 404)',
    role: 'user',
    body: z.object({ code: z.string().min(1).max(64) }),
    handler: (ctx, { actor, body }) => ctx.core.story.chat.join(actorOf(actor), body.code),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/history-messages',
    tag,
    summary: 'History before last_message_time (latest page without it), oldest first',
    role: 'user',
    body: z.object({ conversation_id: id, last_message_time: z.iso.datetime({ offset: true }).optional() }),
    handler: (ctx, { actor, body }) =>
      ctx.core.story.chat.history(actorOf(actor), body.conversation_id, {
        beforeTime: body.last_message_time ? new Date(body.last_message_time) : undefined,
      }),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story_chat/history-messages',
    tag,
    summary: 'History before last_message_id (latest page without it), oldest first',
    role: 'user',
    query: z.object({ conversation_id: id, last_message_id: id.optional() }),
    handler: (ctx, { actor, query }) =>
      ctx.core.story.chat.history(actorOf(actor), query.conversation_id, { beforeId: query.last_message_id }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/select-speakers',
    tag,
    summary: 'Who answers: mentions, the narrator rule, else the LLM (validated), else the rules',
    role: 'user',
    body: z.object({
      history_length: z.number().int().min(1).max(200).default(25),
      user_message: z.string().max(20_000),
      history_messages: z.array(historyMessage).max(500).default([]),
      character_names: z.array(z.string().min(1).max(128)).min(1).max(50),
    }),
    handler: async (ctx, { body }) => ({
      speakers: await ctx.core.story.chat.selectSpeakersByNames({
        characterNames: body.character_names,
        userMessage: body.user_message,
        history: body.history_messages,
        historyLength: body.history_length,
      }),
    }),
  });

  registry.add(router, {
    method: 'post',
    path: GENERATE_RESPONSE_PATH,
    tag,
    summary: "One character's reply as an event stream (stored when conversation_id is given)",
    role: 'user',
    body: generateResponseBody,
    // Requests with a JSON body are normally answered by the fast path (generate-response.fast-path.ts).
    handler: (ctx, { actor, body }) =>
      generateResponse(
        ctx.core,
        actorOf(actor),
        body,
        () => openSse(ctx),
        () => ctx.state.log,
      ),
  });

  // ---- turn-level operations (the bots and richer clients) ----
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/turn',
    tag,
    summary: 'A whole turn: store the message, choose speakers, stream each reply',
    role: 'user',
    body: z.object({
      conversation_id: id,
      content: z.string().min(1).max(20_000),
      author_name: z.string().max(128).optional(),
      speaker_ids: z.array(id).max(20).optional(),
    }),
    handler: async (ctx, { actor, body }) => {
      const user = actorOf(actor);
      const chat = ctx.core.story.chat;
      await chat.prepareReply(user, body.conversation_id);
      return streamChat(ctx, (listener, signal) =>
        chat.playTurn(user, {
          conversationId: body.conversation_id,
          content: body.content,
          authorName: body.author_name,
          speakerIds: body.speaker_ids,
          signal,
          listener,
        }),
      );
    },
  });
  for (const operation of ['regenerate', 'continue'] as const) {
    registry.add(router, {
      method: 'post',
      path: `/api/v1/story_chat/${operation}`,
      tag,
      summary:
        operation === 'regenerate'
          ? 'Regenerate (swipe) the last reply, keeping the earlier version'
          : 'Continue the last reply',
      role: 'user',
      body: z.object({ conversation_id: id }),
      handler: async (ctx, { actor, body }) => {
        const user = actorOf(actor);
        const chat = ctx.core.story.chat;
        await chat.prepareReply(user, body.conversation_id);
        return streamChat(ctx, (listener, signal) =>
          operation === 'regenerate'
            ? chat.regenerate(user, { conversationId: body.conversation_id, signal, listener })
            : chat.continueReply(user, { conversationId: body.conversation_id, signal, listener }),
        );
      },
    });
  }
  registry.add(router, {
    method: 'put',
    path: '/api/v1/story_chat/messages/:id',
    tag,
    summary: 'Edit a message (own lines; the owner may edit AI lines)',
    role: 'user',
    params: z.object({ id }),
    body: z.object({ content: z.string().min(1).max(50_000) }),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.chat.editMessage(actorOf(actor), params.id, body.content),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/messages/:id/swipe',
    tag,
    summary:
      "Bring back an earlier version of a character's reply: swipes[index] becomes its content and the current one takes its place among the swipes (SWIPE_NOT_FOUND 404)",
    role: 'user',
    params: z.object({ id }),
    body: z.object({ index: z.number().int().min(0).max(1000) }),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.chat.selectSwipe(actorOf(actor), params.id, body.index),
  });
  return router;
}
