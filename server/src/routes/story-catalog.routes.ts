import { z } from 'zod';
import { MODEL_TYPES } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { actorOf, idParam, noContent, pageQuery, statusQuery, storyRouter } from './story-shared.js';

const created = <T>(ctx: AppRouterContext, body: T) => {
  ctx.status = 201;
  return body;
};

const url = z.string().max(1024);
const characterFields = {
  name: z.string().min(1).max(128),
  avatar: url.nullable().optional(),
  personality: z.string().max(20_000).optional(),
  background: z.string().max(20_000).optional(),
  description: z.string().max(20_000).optional(),
  language: z.string().max(32).nullable().optional(),
  image_url: url.nullable().optional(),
  icon_url: url.nullable().optional(),
  llm_id: z.string().max(128).nullable().optional(),
  talkativeness: z.number().min(0).max(1).optional(),
};
const storyBody = z.object({ title: z.string().min(1).max(255), setting: z.record(z.string(), z.unknown()) });
const templateFields = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  name: z.string().min(1).max(255),
  thumbnail: url.nullable().optional(),
  introduction: z.string().max(20_000).nullable().optional(),
  components: z.array(z.unknown()).max(100).optional(),
  maxCharacters: z.number().int().min(1).max(50).optional(),
  hiddenPrompt: z.string().max(50_000).nullable().optional(),
  status: z.enum(['active', 'inactive']).optional(),
};
const musicBody = z.object({ name: z.string().min(1).max(255), url, type: z.string().min(1).max(64) });
const artStyleBody = z.object({
  name: z.string().min(1).max(128),
  keyword: z.string().min(1).max(255),
  thumbnail: url.nullable().optional(),
  status: z.enum(['active', 'inactive']).optional(),
});
const promptTemplateBody = z.object({
  type: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  content: z.string().min(1).max(50_000),
  is_active: z.boolean().optional(),
});
const aiModelBody = z.object({
  llm_id: z.string().min(1).max(128),
  name: z.string().max(128).optional(),
  type: z.enum(MODEL_TYPES),
  provider_model: z.string().min(1).max(128),
  base_url: z.url().nullable().optional(),
  api_key: z.string().max(500).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  max_tokens: z.number().int().min(1).max(200_000).nullable().optional(),
  is_active: z.boolean().optional(),
});

/** Contract 002's catalogs: characters, stories, templates, posts, languages, art styles, music. */
export function storyCatalogRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  const tag = 'story-catalog';

  // ---- characters ----
  registry.add(router, {
    method: 'get',
    path: '/api/v1/characters/list',
    tag,
    summary: "The caller's characters",
    role: 'user',
    handler: async (ctx, { actor }) =>
      (await ctx.core.story.catalog.listCharacters(actorOf(actor), { page: 1, limit: 100 })).items,
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/characters',
    tag,
    summary: "The caller's characters, paged",
    role: 'user',
    query: pageQuery,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.listCharacters(actorOf(actor), query),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/characters',
    tag,
    summary: 'Create a character',
    role: 'user',
    body: z.object(characterFields),
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createCharacter(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/narrator',
    tag,
    summary: 'The narrator character (add its id to a story cast)',
    role: 'user',
    handler: (ctx) => ctx.core.story.catalog.narrator(),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/characters/:id',
    tag,
    summary: 'A character',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getCharacter(params.id),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/characters/:id',
    tag,
    summary: 'Update a character (owner only)',
    role: 'user',
    params: idParam,
    body: z.object(characterFields).partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateCharacter(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/characters/:id',
    tag,
    summary: 'Delete a character (owner only)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteCharacter(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- stories ----
  registry.add(router, {
    method: 'post',
    path: '/api/v1/stories',
    tag,
    summary: 'Create a story',
    role: 'user',
    body: storyBody,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createStory(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/stories',
    tag,
    summary: "The caller's stories, paged",
    role: 'user',
    query: pageQuery,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.listStories(actorOf(actor), query),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/stories/:id',
    tag,
    summary: 'A story (own or published)',
    role: 'user',
    params: idParam,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getStory(actorOf(actor), params.id),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/stories/:id',
    tag,
    summary: 'Update a story (owner only)',
    role: 'user',
    params: idParam,
    body: storyBody.partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateStory(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/stories/:id',
    tag,
    summary: 'Delete a story (owner only)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteStory(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story/publish',
    tag,
    summary: 'Publish a story from a template (maxCharacters enforced)',
    role: 'user',
    body: z.object({
      template_id: z.string().max(64).optional(),
      template_content: z.string().max(50_000).optional(),
      characters: z.array(z.string().min(1).max(64)).min(1).max(50),
      background_music_id: z.string().max(64).nullable().optional(),
      bg_image_url: url.nullable().optional(),
      story_name: z.string().min(1).max(255),
      opening_messages: z
        .array(z.object({ content: z.string().max(20_000), character: z.string().max(64) }))
        .max(50)
        .optional(),
      settings: z.record(z.string(), z.unknown()).optional(),
      language: z.string().max(32).nullable().optional(),
    }),
    handler: (ctx, { actor, body }) => ctx.core.story.catalog.publishStory(actorOf(actor), body),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story/get_unstarted_stories',
    tag,
    summary: 'Published stories the caller has not started, with characterDetails',
    role: 'user',
    query: pageQuery,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.unstartedStories(actorOf(actor), query),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/story/published',
    tag,
    summary: 'Every published story (same shape as get_unstarted_stories); the bots list these',
    role: 'user',
    query: pageQuery,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.unstartedStories(actorOf(actor), { ...query, includeStarted: true }),
  });

  // ---- story templates ----
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story-templates',
    tag,
    summary: 'Story templates',
    role: 'user',
    query: statusQuery,
    handler: (ctx, { query }) => ctx.core.story.catalog.listStoryTemplates(query.status),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story-templates/:id',
    tag,
    summary: 'A story template',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getStoryTemplate(params.id),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/story-templates',
    tag,
    summary: 'Create a story template (staff)',
    role: 'user',
    body: z.object(templateFields),
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createStoryTemplate(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/story-templates/:id',
    tag,
    summary: 'Update a story template (staff)',
    role: 'user',
    params: idParam,
    body: z.object(templateFields).omit({ id: true }).partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateStoryTemplate(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/story-templates/:id',
    tag,
    summary: 'Delete a story template (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteStoryTemplate(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- system prompt posts ----
  const content = z.object({ content: z.string().min(1).max(50_000) });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/system-prompt-posts',
    tag,
    summary: 'Create a system prompt post (staff)',
    role: 'user',
    body: content,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createPost(actorOf(actor), body.content)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/system-prompt-posts',
    tag,
    summary: 'System prompt posts, paged',
    role: 'user',
    query: pageQuery,
    handler: (ctx, { query }) => ctx.core.story.catalog.listPosts(query),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/system-prompt-posts/:id',
    tag,
    summary: 'A system prompt post',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getPost(params.id),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/system-prompt-posts/:id',
    tag,
    summary: 'Update a system prompt post (staff)',
    role: 'user',
    params: idParam,
    body: content,
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updatePost(actorOf(actor), params.id, body.content),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/system-prompt-posts/:id',
    tag,
    summary: 'Delete a system prompt post (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deletePost(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- languages ----
  const language = z.object({ language: z.string().min(1).max(64) });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/languages',
    tag,
    summary: 'Create a language (staff)',
    role: 'user',
    body: language,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createLanguage(actorOf(actor), body.language)),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/languages',
    tag,
    summary: 'All languages',
    role: 'user',
    handler: (ctx) => ctx.core.story.catalog.listLanguages(),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/languages/:id',
    tag,
    summary: 'A language',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getLanguage(params.id),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/languages/:id',
    tag,
    summary: 'Rename a language (staff)',
    role: 'user',
    params: idParam,
    body: language,
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateLanguage(actorOf(actor), params.id, body.language),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/languages/:id',
    tag,
    summary: 'Delete a language (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteLanguage(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- art styles ----
  registry.add(router, {
    method: 'get',
    path: '/api/v1/art-styles',
    tag,
    summary: 'Art styles',
    role: 'user',
    query: statusQuery,
    handler: (ctx, { query }) => ctx.core.story.catalog.listArtStyles(query.status),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/art-styles/:id',
    tag,
    summary: 'An art style',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getArtStyle(params.id),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/art-styles',
    tag,
    summary: 'Create an art style (staff)',
    role: 'user',
    body: artStyleBody,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createArtStyle(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/art-styles/:id',
    tag,
    summary: 'Update an art style (staff)',
    role: 'user',
    params: idParam,
    body: artStyleBody.partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateArtStyle(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/art-styles/:id',
    tag,
    summary: 'Delete an art style (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteArtStyle(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- music (types first: `/music/types` must not be read as a music id) ----
  registry.add(router, {
    method: 'get',
    path: '/api/v1/music/types',
    tag,
    summary: 'Music types',
    role: 'user',
    handler: (ctx) => ctx.core.story.catalog.listMusicTypes(),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/music/types',
    tag,
    summary: 'Create a music type (staff)',
    role: 'user',
    body: z.object({ name: z.string().min(1).max(64) }),
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createMusicType(actorOf(actor), body.name)),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/music/types/:id',
    tag,
    summary: 'Delete an unused music type (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteMusicType(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/music',
    tag,
    summary: 'Music, optionally of one type',
    role: 'user',
    query: z.object({ type: z.string().max(64).optional() }),
    handler: (ctx, { query }) => ctx.core.story.catalog.listMusic(query.type),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/music/:id',
    tag,
    summary: 'A music entry',
    role: 'user',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getMusic(params.id),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/music',
    tag,
    summary: 'Create a music entry (staff)',
    role: 'user',
    body: musicBody,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createMusic(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'put',
    path: '/api/v1/music/:id',
    tag,
    summary: 'Update a music entry (staff)',
    role: 'user',
    params: idParam,
    body: musicBody.partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateMusic(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: '/api/v1/music/:id',
    tag,
    summary: 'Delete a music entry (staff)',
    role: 'user',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteMusic(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });

  // ---- staff-only resources the contract does not list (the admin uses them) ----
  const admin = '/api/v1/story-admin';
  registry.add(router, {
    method: 'get',
    path: `${admin}/prompt-templates`,
    tag,
    summary: 'All prompt templates (staff)',
    role: 'staff',
    query: z.object({ type: z.string().max(64).optional() }),
    handler: (ctx, { query }) => ctx.core.story.catalog.listPromptTemplates(query.type),
  });
  registry.add(router, {
    method: 'get',
    path: `${admin}/prompt-templates/:id`,
    tag,
    summary: 'A prompt template (staff)',
    role: 'staff',
    params: idParam,
    handler: (ctx, { params }) => ctx.core.story.catalog.getPromptTemplate(params.id),
  });
  registry.add(router, {
    method: 'post',
    path: `${admin}/prompt-templates`,
    tag,
    summary: 'Create a prompt template (staff)',
    role: 'staff',
    body: promptTemplateBody,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createPromptTemplate(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'put',
    path: `${admin}/prompt-templates/:id`,
    tag,
    summary: 'Update a prompt template (staff)',
    role: 'staff',
    params: idParam,
    body: promptTemplateBody.partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updatePromptTemplate(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: `${admin}/prompt-templates/:id`,
    tag,
    summary: 'Delete a prompt template (staff)',
    role: 'staff',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deletePromptTemplate(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });
  registry.add(router, {
    method: 'get',
    path: `${admin}/ai-models`,
    tag,
    summary: 'All AI models with usage counts and last use (staff)',
    role: 'staff',
    handler: (ctx, { actor }) => ctx.core.story.catalog.listAiModels(actorOf(actor)),
  });
  registry.add(router, {
    method: 'get',
    path: `${admin}/ai-models/:id`,
    tag,
    summary: 'An AI model (staff)',
    role: 'staff',
    params: idParam,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getAiModel(actorOf(actor), params.id),
  });
  registry.add(router, {
    method: 'post',
    path: `${admin}/ai-models`,
    tag,
    summary: 'Create an AI model (staff; the API key is stored encrypted)',
    role: 'staff',
    body: aiModelBody,
    handler: async (ctx, { actor, body }) =>
      created(ctx, await ctx.core.story.catalog.createAiModel(actorOf(actor), body)),
  });
  registry.add(router, {
    method: 'put',
    path: `${admin}/ai-models/:id`,
    tag,
    summary: 'Update an AI model (staff)',
    role: 'staff',
    params: idParam,
    body: aiModelBody.partial(),
    handler: (ctx, { actor, params, body }) =>
      ctx.core.story.catalog.updateAiModel(actorOf(actor), params.id, body),
  });
  registry.add(router, {
    method: 'delete',
    path: `${admin}/ai-models/:id`,
    tag,
    summary: 'Delete an AI model (staff)',
    role: 'staff',
    params: idParam,
    handler: async (ctx, { actor, params }) => {
      await ctx.core.story.catalog.deleteAiModel(actorOf(actor), params.id);
      return noContent(ctx);
    },
  });
  registry.add(router, {
    method: 'get',
    path: `${admin}/characters`,
    tag,
    summary: 'Every character (staff)',
    role: 'staff',
    query: pageQuery,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.listCharacters(actorOf(actor), { ...query, all: true }),
  });
  registry.add(router, {
    method: 'get',
    path: `${admin}/stories`,
    tag,
    summary: 'Every story (staff)',
    role: 'staff',
    query: pageQuery,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.listStories(actorOf(actor), { ...query, all: true }),
  });
  return router;
}
