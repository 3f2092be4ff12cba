import {
  CHAT_EVENT_STREAM,
  chatMessageResponse,
  conversationIdParams,
  conversationOperationBody,
  createConversationBody,
  createConversationResponse,
  editMessageBody,
  endConversationResponse,
  findConversationResponse,
  generateResponseBody,
  historyMessagesBody,
  historyMessagesQuery,
  historyMessagesResponse,
  inviteResponse,
  joinConversationBody,
  joinConversationResponse,
  messageIdParams,
  playTurnBody,
  selectSpeakersBody,
  selectSpeakersResponse,
  storyIdParams,
  swipeBody,
  type GenerateResponseBody,
} from '@dreamloom/contracts';
import { isAppError, type Actor, type Core, type Logger, type TurnListener } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { openSse, type SseChannel } from '../http/sse.js';
import { actorOf, storyRouter } from './story-shared.js';

export const GENERATE_RESPONSE_PATH = '/api/v1/story_chat/generate-response';

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
export { generateResponseBody, type GenerateResponseBody };

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
  const replies = core.story.replies;
  if (!body.conversation_id) {
    const stateless = await replies.startStateless(user, {
      characterId: body.character_id,
      userMessage: body.user_message,
      history: body.history_messages,
      historyLength: body.history_length,
    });
    return pipeChat(openStream(), (listener, signal) => stateless.run(listener, signal), log);
  }
  const reply = await replies.startReply(user, {
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
    body: createConversationBody,
    response: createConversationResponse,
    handler: async (ctx, { actor, body }) => {
      const { conversation, lastMessageId } = await ctx.core.story.conversations.createConversation(
        actorOf(actor),
        {
          storyId: body.story_id,
          messages: body.messages,
        },
      );
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
    params: storyIdParams,
    response: findConversationResponse,
    handler: async (ctx, { actor, params }) => ({
      conversation_id: await ctx.core.story.conversations.findConversation(actorOf(actor), params.story_id),
    }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation/:id/end',
    tag,
    summary: 'End a conversation',
    role: 'user',
    params: conversationIdParams,
    response: endConversationResponse,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.conversations.endConversation(actorOf(actor), params.id);
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
    params: conversationIdParams,
    response: inviteResponse,
    handler: (ctx, { actor, params }) => ctx.core.story.conversations.invite(actorOf(actor), params.id),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/conversation/join',
    tag,
    summary: 'Join a conversation with an invite code (spent on use; unknown, used or expired: 404)',
    role: 'user',
    body: joinConversationBody,
    response: joinConversationResponse,
    handler: (ctx, { actor, body }) => ctx.core.story.conversations.join(actorOf(actor), body.code),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/history-messages',
    tag,
    summary: 'History before last_message_time (latest page without it), oldest first',
    role: 'user',
    body: historyMessagesBody,
    response: historyMessagesResponse,
    handler: (ctx, { actor, body }) =>
      ctx.core.story.conversations.history(actorOf(actor), body.conversation_id, {
        beforeTime: body.last_message_time ? new Date(body.last_message_time) : undefined,
      }),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story_chat/history-messages',
    tag,
    summary: 'History before last_message_id (latest page without it), oldest first',
    role: 'user',
    query: historyMessagesQuery,
    response: historyMessagesResponse,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.conversations.history(actorOf(actor), query.conversation_id, {
        beforeId: query.last_message_id,
      }),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/select-speakers',
    tag,
    summary: 'Who answers: mentions, the narrator rule, else the LLM (validated), else the rules',
    role: 'user',
    body: selectSpeakersBody,
    response: selectSpeakersResponse,
    handler: async (ctx, { body }) => ({
      speakers: await ctx.core.story.speakers.selectSpeakersByNames({
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
    rawResponse: CHAT_EVENT_STREAM,
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
    body: playTurnBody,
    rawResponse: CHAT_EVENT_STREAM,
    handler: async (ctx, { actor, body }) => {
      const user = actorOf(actor);
      const chat = ctx.core.story.replies;
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
      body: conversationOperationBody,
      rawResponse: CHAT_EVENT_STREAM,
      handler: async (ctx, { actor, body }) => {
        const user = actorOf(actor);
        const chat = ctx.core.story.replies;
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
    params: messageIdParams,
    body: editMessageBody,
    response: chatMessageResponse,
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.conversations.editMessage(actorOf(actor), params.id, body.content),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story_chat/messages/:id/swipe',
    tag,
    summary:
      "Bring back an earlier version of a character's reply: swipes[index] becomes its content and the current one takes its place among the swipes (SWIPE_NOT_FOUND 404)",
    role: 'user',
    params: messageIdParams,
    body: swipeBody,
    response: chatMessageResponse,
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.conversations.selectSwipe(actorOf(actor), params.id, body.index),
  });
  return router;
}
