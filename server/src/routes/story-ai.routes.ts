import { randomBytes } from 'node:crypto';
import {
  COMPLETION_EVENT_STREAM,
  aiModelResponse,
  aiModelTypeParams,
  aiModelsQuery,
  aiModelsResponse,
  avatarCreateBody,
  avatarCreateResponse,
  avatarGenerateBody,
  backgroundImageBody,
  chatCompletionBody,
  chatCompletionResponse,
  i2tCompletionBody,
  promptTemplateOfTypeResponse,
  promptTemplateTypeParams,
  t2iSubmitBody,
  t2iTask,
  t2iTaskParams,
} from '@dreamloom/contracts';
import { aiModelView, assertMessageImagesAllowed, type ChatMessageParam } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import { openSse } from '../http/sse.js';
import { actorOf, storyRouter } from './story-shared.js';

const completionId = () => `chatcmpl-${randomBytes(12).toString('hex')}`;
const unix = () => Math.floor(Date.now() / 1000);

export function storyAiRoutes(registry: ApiRegistry) {
  const router = storyRouter();

  registry.add(router, {
    method: 'get',
    path: '/api/v1/ai/models',
    tag: 'story-ai',
    summary: 'Available AI models, by type and/or llm_id',
    role: 'user',
    query: aiModelsQuery,
    response: aiModelsResponse,
    handler: async (ctx, { query }) =>
      (await ctx.core.story.llm.list({ type: query.type, llmId: query.llm_id })).map(aiModelView),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/ai/models/least-used/:type',
    tag: 'story-ai',
    summary: 'Claim the least recently used model of a type (atomic across callers)',
    role: 'user',
    params: aiModelTypeParams,
    response: aiModelResponse,
    handler: async (ctx, { params }) => aiModelView(await ctx.core.story.llm.leastUsed(params.type)),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/llm/chat/completions',
    tag: 'story-ai',
    summary: 'OpenAI-compatible chat completion (streaming and not) through a catalog model',
    role: 'user',
    body: chatCompletionBody,
    response: chatCompletionResponse,
    rawResponse: COMPLETION_EVENT_STREAM,
    handler: async (ctx, { body }) => {
      const llm = ctx.core.story.llm;
      const llmId = (body.model_id ?? body.model)!;
      const model = await llm.findActive(llmId, ['chat', 'other']);
      const messages = body.messages as ChatMessageParam[];
      // Image parts are fetched by the model's endpoint: the outbound (SSRF) policy first.
      await assertMessageImagesAllowed(ctx.core.outbound, ctx.core.config.PUBLIC_URL, messages);
      const id = completionId();
      const created = unix();
      if (!body.stream) {
        const { result } = await llm.complete(model, messages);
        return {
          id,
          object: 'chat.completion',
          created,
          model: model.llm_id,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: result.content },
              finish_reason: result.finishReason,
            },
          ],
          usage: result.usage,
        };
      }
      const controller = new AbortController();
      ctx.res.on('close', () => {
        if (!ctx.res.writableFinished) controller.abort();
      });
      const iterator = llm.stream(model, messages, { signal: controller.signal })[Symbol.asyncIterator]();
      // The first delta is awaited before the status line, so a model that fails outright (after
      // failover) is an HTTP error the SDK understands, not a broken stream.
      const first = await iterator.next();
      const sse = openSse(ctx);
      sse.signal.addEventListener('abort', () => controller.abort());
      const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: model.llm_id,
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      void (async () => {
        try {
          sse.send(chunk({ role: 'assistant', content: first.done ? '' : first.value }, null));
          if (!first.done) {
            for (let next = await iterator.next(); !next.done; next = await iterator.next())
              sse.send(chunk({ content: next.value }, null));
          }
          sse.send(chunk({}, 'stop'));
          sse.send('[DONE]');
        } catch (error) {
          if (!controller.signal.aborted)
            sse.send({ error: { code: 'upstream_error', message: (error as Error).message } });
        } finally {
          sse.close();
        }
      })();
      return undefined;
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/ai/i2t/chat/completions',
    tag: 'story-ai',
    summary: 'Image-to-text chat completion through an i2t catalog model',
    role: 'user',
    body: i2tCompletionBody,
    response: chatCompletionResponse,
    handler: async (ctx, { body }) => {
      await assertMessageImagesAllowed(
        ctx.core.outbound,
        ctx.core.config.PUBLIC_URL,
        body.messages as ChatMessageParam[],
      );
      const { result, model } = await ctx.core.story.media.describeImage({
        model_id: body.model_id,
        messages: body.messages as ChatMessageParam[],
      });
      return {
        id: completionId(),
        object: 'chat.completion',
        created: unix(),
        model: model.provider_model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.content },
            finish_reason: result.finishReason,
          },
        ],
        usage: result.usage,
      };
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/ai/t2i/submit',
    tag: 'story-ai',
    summary:
      'Submit a text-to-image task to the generation engine; size 1024*1024 (default), 720*1280 or 1280*720; poll /ai/t2i/status/{task_id}',
    role: 'user',
    body: t2iSubmitBody,
    response: t2iTask,
    handler: (ctx, { body, actor }) => ctx.core.story.media.submitT2i(actorOf(actor), body),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/ai/t2i/status/:task_id',
    tag: 'story-ai',
    summary: 'Status and images of a text-to-image task (avatars and backgrounds too)',
    role: 'user',
    params: t2iTaskParams,
    response: t2iTask,
    handler: (ctx, { params, actor }) => ctx.core.story.media.taskStatus(actorOf(actor), params.task_id),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/prompt-templates/:type',
    tag: 'story-ai',
    summary: 'The active prompt template of a type (e.g. t2i_character)',
    role: 'user',
    params: promptTemplateTypeParams,
    response: promptTemplateOfTypeResponse,
    handler: (ctx, { params }) => ctx.core.story.catalog.promptTemplateOfType(params.type),
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/character-avatar/generate',
    tag: 'story-ai',
    summary: 'An LLM writes the image prompt, the generation engine draws the avatar',
    role: 'user',
    body: avatarGenerateBody,
    response: t2iTask,
    handler: (ctx, { body, actor }) => ctx.core.story.media.generateAvatar(actorOf(actor), body),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/character-avatar/create',
    tag: 'story-ai',
    summary: 'Create a character (after its avatar was generated or uploaded)',
    role: 'user',
    body: avatarCreateBody,
    response: avatarCreateResponse,
    handler: (ctx, { body, actor }) =>
      ctx.core.story.catalog.createCharacter(actorOf(actor), {
        name: body.character_name,
        description: body.character_description,
        personality: body.personality,
        language: body.language,
        image_prompt: body.image_prompt,
        image_url: body.image_url,
        icon_url: body.icon_url,
        llm_id: body.llm_id,
      }),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/llm/generate/story-background-image',
    tag: 'story-ai',
    summary: 'Generate a story background (the LLM writes the prompt, the engine draws 16:9)',
    role: 'user',
    body: backgroundImageBody,
    response: t2iTask,
    handler: (ctx, { body, actor }) => ctx.core.story.media.generateBackground(actorOf(actor), body),
  });
  return router;
}
