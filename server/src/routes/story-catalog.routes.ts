import { z, type ZodType } from 'zod';
import {
  MODEL_TYPES,
  MUSIC_UPLOAD_MAX_BYTES,
  readCharacterCard,
  type Actor,
  type Core,
} from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { actorOf, idParam, noContent, pageQuery, statusQuery, storyRouter } from './story-shared.js';
import { readUploadedFile } from './story-images.routes.js';
import { assertCleanBody } from '../http/hostile-input.js';

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
  is_public: z.boolean().optional(),
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
  type Catalog = Core['story']['catalog'];
  type Role = 'user' | 'staff';

  // Most catalogs share the same create / update / delete routes and differ only in what they
  // call; these three register one each, so every such route answers (201, body, 204) alike.
  const create = <B>(
    path: string,
    summary: string,
    role: Role,
    body: ZodType<B>,
    make: (catalog: Catalog, actor: Actor, body: B) => Promise<unknown>,
  ) =>
    registry.add(router, {
      method: 'post',
      path,
      tag,
      summary,
      role,
      body,
      handler: async (ctx, input) =>
        created(ctx, await make(ctx.core.story.catalog, actorOf(input.actor), input.body)),
    });
  const updateById = <B>(
    path: string,
    summary: string,
    role: Role,
    body: ZodType<B>,
    update: (catalog: Catalog, actor: Actor, id: string, body: B) => Promise<unknown>,
  ) =>
    registry.add(router, {
      method: 'put',
      path,
      tag,
      summary,
      role,
      params: idParam,
      body,
      handler: (ctx, input) =>
        update(ctx.core.story.catalog, actorOf(input.actor), input.params.id, input.body),
    });
  const removeById = (
    path: string,
    summary: string,
    role: Role,
    remove: (catalog: Catalog, actor: Actor, id: string) => Promise<unknown>,
  ) =>
    registry.add(router, {
      method: 'delete',
      path,
      tag,
      summary,
      role,
      params: idParam,
      handler: async (ctx, input) => {
        await remove(ctx.core.story.catalog, actorOf(input.actor), input.params.id);
        return noContent(ctx);
      },
    });

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
  create(
    '/api/v1/characters',
    'Create a character',
    'user',
    z.object(characterFields),
    (catalog, actor, body) => catalog.createCharacter(actor, body),
  );
  registry.add(router, {
    method: 'post',
    path: '/api/v1/characters/import',
    tag,
    summary:
      'Import a community character card (multipart `file`: SillyTavern card V1/V2/V3 JSON, or a PNG card whose image becomes the avatar)',
    role: 'user',
    docBody: {
      schema: z.object({ file: z.string().describe('binary') }),
      contentType: 'multipart/form-data',
    },
    handler: async (ctx, { actor }) => {
      const user = actorOf(actor);
      const file = await readUploadedFile(ctx, ctx.core.config.STORY_UPLOAD_MAX_BYTES);
      // The whole card is read and checked before anything is stored.
      const card = readCharacterCard(file.buffer);
      // The card is this request's JSON body in all but transport: the same text rule applies.
      const { image: _image, ...text } = card;
      assertCleanBody(text, 'card');
      const image = card.image
        ? await ctx.core.story.media.uploadImage(user, { data: card.image, originalName: file.originalname })
        : null;
      return created(
        ctx,
        await ctx.core.story.catalog.createCharacter(user, {
          name: card.name,
          description: card.description,
          personality: card.personality,
          background: card.background,
          talkativeness: card.talkativeness,
          image_url: image?.url ?? null,
          icon_url: image?.url ?? null,
        }),
      );
    },
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
    summary:
      "A character: the whole of one's own, public or (staff) any; the public card of one cast in a published story; else 404",
    role: 'user',
    params: idParam,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getCharacter(actorOf(actor), params.id),
  });
  updateById(
    '/api/v1/characters/:id',
    'Update a character (owner; staff moderate). `is_public` shares it with everyone',
    'user',
    z.object(characterFields).partial(),
    (catalog, actor, id, body) => catalog.updateCharacter(actor, id, body),
  );
  removeById(
    '/api/v1/characters/:id',
    'Delete a character (owner; staff moderate). 409 CHARACTER_IN_USE while a published story casts it',
    'user',
    (catalog, actor, id) => catalog.deleteCharacter(actor, id),
  );

  // ---- stories ----
  create('/api/v1/stories', 'Create a story', 'user', storyBody, (catalog, actor, body) =>
    catalog.createStory(actor, body),
  );
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
  updateById(
    '/api/v1/stories/:id',
    'Update a story (owner only)',
    'user',
    storyBody.partial(),
    (catalog, actor, id, body) => catalog.updateStory(actor, id, body),
  );
  removeById('/api/v1/stories/:id', 'Delete a story (owner only)', 'user', (catalog, actor, id) =>
    catalog.deleteStory(actor, id),
  );
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
    summary: 'Story templates (hiddenPrompt for staff only)',
    role: 'user',
    query: statusQuery,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.listStoryTemplates(actorOf(actor), query.status),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story-templates/:id',
    tag,
    summary: 'A story template (hiddenPrompt for staff only)',
    role: 'user',
    params: idParam,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getStoryTemplate(actorOf(actor), params.id),
  });
  create(
    '/api/v1/story-templates',
    'Create a story template (staff)',
    'user',
    z.object(templateFields),
    (catalog, actor, body) => catalog.createStoryTemplate(actor, body),
  );
  updateById(
    '/api/v1/story-templates/:id',
    'Update a story template (staff)',
    'user',
    z.object(templateFields).omit({ id: true }).partial(),
    (catalog, actor, id, body) => catalog.updateStoryTemplate(actor, id, body),
  );
  removeById('/api/v1/story-templates/:id', 'Delete a story template (staff)', 'user', (catalog, actor, id) =>
    catalog.deleteStoryTemplate(actor, id),
  );

  // ---- system prompt posts ----
  const content = z.object({ content: z.string().min(1).max(50_000) });
  create(
    '/api/v1/system-prompt-posts',
    'Create a system prompt post (staff)',
    'user',
    content,
    (catalog, actor, body) => catalog.createPost(actor, body.content),
  );
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
  updateById(
    '/api/v1/system-prompt-posts/:id',
    'Update a system prompt post (staff)',
    'user',
    content,
    (catalog, actor, id, body) => catalog.updatePost(actor, id, body.content),
  );
  removeById(
    '/api/v1/system-prompt-posts/:id',
    'Delete a system prompt post (staff)',
    'user',
    (catalog, actor, id) => catalog.deletePost(actor, id),
  );

  // ---- languages ----
  const language = z.object({ language: z.string().min(1).max(64) });
  create('/api/v1/languages', 'Create a language (staff)', 'user', language, (catalog, actor, body) =>
    catalog.createLanguage(actor, body.language),
  );
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
  updateById(
    '/api/v1/languages/:id',
    'Rename a language (staff)',
    'user',
    language,
    (catalog, actor, id, body) => catalog.updateLanguage(actor, id, body.language),
  );
  removeById('/api/v1/languages/:id', 'Delete a language (staff)', 'user', (catalog, actor, id) =>
    catalog.deleteLanguage(actor, id),
  );

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
  create('/api/v1/art-styles', 'Create an art style (staff)', 'user', artStyleBody, (catalog, actor, body) =>
    catalog.createArtStyle(actor, body),
  );
  updateById(
    '/api/v1/art-styles/:id',
    'Update an art style (staff)',
    'user',
    artStyleBody.partial(),
    (catalog, actor, id, body) => catalog.updateArtStyle(actor, id, body),
  );
  removeById('/api/v1/art-styles/:id', 'Delete an art style (staff)', 'user', (catalog, actor, id) =>
    catalog.deleteArtStyle(actor, id),
  );

  // ---- music (types first: `/music/types` must not be read as a music id) ----
  registry.add(router, {
    method: 'get',
    path: '/api/v1/music/types',
    tag,
    summary: 'Music types',
    role: 'user',
    handler: (ctx) => ctx.core.story.catalog.listMusicTypes(),
  });
  create(
    '/api/v1/music/types',
    'Create a music type (staff)',
    'user',
    z.object({ name: z.string().min(1).max(64) }),
    (catalog, actor, body) => catalog.createMusicType(actor, body.name),
  );
  removeById('/api/v1/music/types/:id', 'Delete an unused music type (staff)', 'user', (catalog, actor, id) =>
    catalog.deleteMusicType(actor, id),
  );
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
  create('/api/v1/music', 'Create a music entry (staff)', 'user', musicBody, (catalog, actor, body) =>
    catalog.createMusic(actor, body),
  );
  updateById(
    '/api/v1/music/:id',
    'Update a music entry (staff)',
    'user',
    musicBody.partial(),
    (catalog, actor, id, body) => catalog.updateMusic(actor, id, body),
  );
  removeById('/api/v1/music/:id', 'Delete a music entry (staff)', 'user', (catalog, actor, id) =>
    catalog.deleteMusic(actor, id),
  );

  // ---- staff-only resources the contract does not list (the admin uses them) ----
  const admin = '/api/v1/story-admin';
  registry.add(router, {
    method: 'post',
    path: `${admin}/music/upload`,
    tag,
    summary:
      'Upload a music track (staff; multipart field `file`: mp3, ogg, wav or flac, 20 MB) — answers its /media/ URL for a music entry',
    role: 'staff',
    docBody: {
      schema: z.object({ file: z.string().describe('binary') }),
      contentType: 'multipart/form-data',
    },
    handler: async (ctx, { actor }) => {
      const file = await readUploadedFile(ctx, MUSIC_UPLOAD_MAX_BYTES);
      return ctx.core.story.media.uploadMusic(actorOf(actor), {
        data: file.buffer,
        originalName: file.originalname,
      });
    },
  });
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
  create(
    `${admin}/prompt-templates`,
    'Create a prompt template (staff)',
    'staff',
    promptTemplateBody,
    (catalog, actor, body) => catalog.createPromptTemplate(actor, body),
  );
  updateById(
    `${admin}/prompt-templates/:id`,
    'Update a prompt template (staff)',
    'staff',
    promptTemplateBody.partial(),
    (catalog, actor, id, body) => catalog.updatePromptTemplate(actor, id, body),
  );
  removeById(
    `${admin}/prompt-templates/:id`,
    'Delete a prompt template (staff)',
    'staff',
    (catalog, actor, id) => catalog.deletePromptTemplate(actor, id),
  );
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
  create(
    `${admin}/ai-models`,
    'Create an AI model (staff; the API key is stored encrypted)',
    'staff',
    aiModelBody,
    (catalog, actor, body) => catalog.createAiModel(actor, body),
  );
  updateById(
    `${admin}/ai-models/:id`,
    'Update an AI model (staff)',
    'staff',
    aiModelBody.partial(),
    (catalog, actor, id, body) => catalog.updateAiModel(actor, id, body),
  );
  removeById(`${admin}/ai-models/:id`, 'Delete an AI model (staff)', 'staff', (catalog, actor, id) =>
    catalog.deleteAiModel(actor, id),
  );
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
