import { z, type ZodType } from 'zod';
import {
  characterCreateBody,
  characterList,
  characterOrCard,
  characterPage,
  characterUpdateBody,
  characterView,
  musicUploadResult,
  publishedStoryList,
  publishStoryBody,
  publishStoryResult,
  storyBody,
  storyPage,
  storyUpdateBody,
  storyView,
} from '@dreamloom/contracts';
import {
  aiModels,
  artStyles,
  languages,
  music,
  musicTypes,
  MUSIC_UPLOAD_MAX_BYTES,
  promptTemplates,
  readCharacterCard,
  storyTemplates,
  systemPromptPosts,
  type Actor,
  type Core,
} from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppRouterContext } from '../http/context.js';
import { actorOf, idParam, noContent, pageQuery, storyRouter } from './story-shared.js';
import { addCatalogRoutes } from './catalog-routes.js';
import { readUploadedFile } from './story-images.routes.js';
import { assertCleanBody } from '../http/hostile-input.js';

const created = <T>(ctx: AppRouterContext, body: T) => {
  ctx.status = 201;
  return body;
};

/**
 * Contract 002's catalogs: characters and stories written out here, the plain catalogs (templates,
 * posts, languages, art styles, music, and the admin's prompt templates and AI models) generated
 * from their descriptors.
 */
export function storyCatalogRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  const tag = 'story-catalog';
  type Catalog = Core['story']['catalog'];
  type Role = 'user' | 'staff';

  // Characters and stories are not declared catalogs (their access depends on the owner and the
  // casts; CatalogService): these three register their create / update / delete routes alike.
  const create = <B>(
    path: string,
    summary: string,
    role: Role,
    body: ZodType<B>,
    response: ZodType,
    make: (catalog: Catalog, actor: Actor, body: B) => Promise<unknown>,
  ) =>
    registry.add(router, {
      method: 'post',
      path,
      tag,
      summary,
      role,
      body,
      response,
      successStatus: 201,
      handler: async (ctx, input) =>
        created(ctx, await make(ctx.core.story.catalog, actorOf(input.actor), input.body)),
    });
  const updateById = <B>(
    path: string,
    summary: string,
    role: Role,
    body: ZodType<B>,
    response: ZodType,
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
      response,
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
      rawResponse: { status: 204, description: 'Deleted' },
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
    response: characterList,
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
    response: characterPage,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.listCharacters(actorOf(actor), query),
  });
  create(
    '/api/v1/characters',
    'Create a character',
    'user',
    characterCreateBody,
    characterView,
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
    response: characterView,
    successStatus: 201,
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
    response: characterView,
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
    response: characterOrCard,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getCharacter(actorOf(actor), params.id),
  });
  updateById(
    '/api/v1/characters/:id',
    'Update a character (owner; staff moderate). `is_public` shares it with everyone',
    'user',
    characterUpdateBody,
    characterView,
    (catalog, actor, id, body) => catalog.updateCharacter(actor, id, body),
  );
  removeById(
    '/api/v1/characters/:id',
    'Delete a character (owner; staff moderate). 409 CHARACTER_IN_USE while a published story casts it',
    'user',
    (catalog, actor, id) => catalog.deleteCharacter(actor, id),
  );

  // ---- stories ----
  create('/api/v1/stories', 'Create a story', 'user', storyBody, storyView, (catalog, actor, body) =>
    catalog.createStory(actor, body),
  );
  registry.add(router, {
    method: 'get',
    path: '/api/v1/stories',
    tag,
    summary: "The caller's stories, paged",
    role: 'user',
    query: pageQuery,
    response: storyPage,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.listStories(actorOf(actor), query),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/stories/:id',
    tag,
    summary: 'A story (own or published)',
    role: 'user',
    params: idParam,
    response: storyView,
    handler: (ctx, { actor, params }) => ctx.core.story.catalog.getStory(actorOf(actor), params.id),
  });
  updateById(
    '/api/v1/stories/:id',
    'Update a story (owner only)',
    'user',
    storyUpdateBody,
    storyView,
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
    body: publishStoryBody,
    response: publishStoryResult,
    handler: (ctx, { actor, body }) => ctx.core.story.catalog.publishStory(actorOf(actor), body),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/story/get_unstarted_stories',
    tag,
    summary: 'Published stories the caller has not started, with characterDetails',
    role: 'user',
    query: pageQuery,
    response: publishedStoryList,
    handler: (ctx, { actor, query }) => ctx.core.story.catalog.unstartedStories(actorOf(actor), query),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/story/published',
    tag,
    summary: 'Every published story (same shape as get_unstarted_stories); the bots list these',
    role: 'user',
    query: pageQuery,
    response: publishedStoryList,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.unstartedStories(actorOf(actor), { ...query, includeStarted: true }),
  });

  // ---- the declared catalogs (core/src/catalog/catalogs/); music types before music: `/music/types`
  // must not be read as a music id ----
  for (const catalog of [storyTemplates, systemPromptPosts, languages, artStyles, musicTypes, music])
    addCatalogRoutes(registry, router, catalog, tag);

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
    response: musicUploadResult,
    handler: async (ctx, { actor }) => {
      const file = await readUploadedFile(ctx, MUSIC_UPLOAD_MAX_BYTES);
      return ctx.core.story.media.uploadMusic(actorOf(actor), {
        data: file.buffer,
        originalName: file.originalname,
      });
    },
  });
  addCatalogRoutes(registry, router, promptTemplates, tag);
  addCatalogRoutes(registry, router, aiModels, tag);
  registry.add(router, {
    method: 'get',
    path: `${admin}/characters`,
    tag,
    summary: 'Every character (staff)',
    role: 'staff',
    query: pageQuery,
    response: characterPage,
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
    response: storyPage,
    handler: (ctx, { actor, query }) =>
      ctx.core.story.catalog.listStories(actorOf(actor), { ...query, all: true }),
  });
  return router;
}
