// Contract 002's catalogs: characters and stories (written out in the server, their access depends
// on owners and casts), the published-story lists, and the views of the declared plain catalogs
// (templates, posts, languages, art styles, music, music types, and the admin's prompt templates
// and AI models). Catalog answers are bare JSON (errors `{detail}`); creates answer 201, deletes 204.
// The plain catalogs' request fields live with their descriptors (core/src/catalog/catalogs/); the
// server derives each route's response from the view below (`catalogViews`, by the catalog's path).
import { z, type ZodType } from 'zod';

const url = z.string().max(1024);
/** An ISO 8601 instant, or null (how every catalog view writes its dates). */
const isoOrNull = z.string().nullable();

// ---------------------------------------------------------------- characters
export const characterFields = {
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
export const characterCreateBody = z.object(characterFields);
export type CharacterCreateBody = z.input<typeof characterCreateBody>;
export const characterUpdateBody = characterCreateBody.partial();
export type CharacterUpdateBody = z.input<typeof characterUpdateBody>;

/** The whole character, to its owner, staff, or anyone when it is public. */
export const characterView = z.object({
  id: z.string(),
  name: z.string(),
  avatar: z.string().nullable(),
  personality: z.string(),
  background: z.string(),
  description: z.string(),
  language: z.string().nullable(),
  image_url: z.string().nullable(),
  icon_url: z.string().nullable(),
  image_prompt: z.string().nullable(),
  llm_id: z.string().nullable(),
  /** `character` or the shared `narrator`. */
  character_type: z.string(),
  talkativeness: z.number(),
  is_public: z.boolean(),
  user_id: z.string().nullable(),
  created_at: isoOrNull,
  updated_at: isoOrNull,
});
export type CharacterView = z.infer<typeof characterView>;
/** What players of a published story see of a cast member that is not theirs to read. */
export const characterCard = z.object({
  id: z.string(),
  name: z.string(),
  avatar: z.string().nullable(),
  image_url: z.string().nullable(),
  icon_url: z.string().nullable(),
  character_type: z.string(),
  language: z.string().nullable(),
  is_public: z.boolean(),
});
export type CharacterCard = z.infer<typeof characterCard>;
/** GET /api/v1/characters/:id: the whole character, or only its card (a cast member of a published story). */
export const characterOrCard = z.union([characterView, characterCard]);

/** `{ total, items }` of a paged catalog list (`page`, `limit` query). */
export const catalogPage = <T extends ZodType>(item: T) =>
  z.object({ total: z.number(), items: z.array(item) });
export const characterPage = catalogPage(characterView);
export const characterList = z.array(characterView);

// ---------------------------------------------------------------- stories
export const storyBody = z.object({
  title: z.string().min(1).max(255),
  setting: z.record(z.string(), z.unknown()),
});
export type StoryBody = z.input<typeof storyBody>;
export const storyUpdateBody = storyBody.partial();
export const storyView = z.object({
  id: z.string(),
  title: z.string(),
  setting: z.record(z.string(), z.unknown()),
  template_id: z.string().nullable(),
  /** The cast's character ids. */
  characters: z.array(z.string()),
  background_music_id: z.string().nullable(),
  bg_image_url: z.string().nullable(),
  language: z.string().nullable(),
  is_published: z.boolean(),
  user_id: z.string(),
  created_at: isoOrNull,
  updated_at: isoOrNull,
});
export type StoryView = z.infer<typeof storyView>;
export const storyPage = catalogPage(storyView);

export const publishStoryBody = z.object({
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
});
export type PublishStoryBody = z.input<typeof publishStoryBody>;
export const publishStoryResult = z.object({ id: z.string() });

/** One cast member as a story's listings show it (the published list, a place's bound story). */
export const castMemberCard = z.object({
  id: z.string(),
  name: z.string(),
  /** Empty unless the caller may read the character. */
  description: z.string(),
  image_url: z.string(),
  icon_url: z.string(),
  character_type: z.string(),
});
/** One published story as get_unstarted_stories (and /story/published) list it (contract shape). */
export const publishedStory = z.object({
  id: z.string(),
  title: z.string(),
  intro: z.string(),
  messages: z.array(z.string()),
  likes: z.string(),
  rewards: z.string(),
  background: z.string(),
  /** YYYY-MM-DD. */
  date: z.string(),
  /** How many characters the cast has. */
  characters: z.number(),
  avatar_url: z.string(),
  characterIcons: z.array(z.string()),
  characterDetails: z.array(castMemberCard),
  backgroundMusic: z.string(),
  created_by: z.string(),
  creator_name: z.string(),
  comments_count: z.string(),
});
export type PublishedStory = z.infer<typeof publishedStory>;
export const publishedStoryList = z.array(publishedStory);

/** POST /api/v1/story-admin/music/upload: the stored track's /media/ URL for a music entry. */
export const musicUploadResult = z.object({ url: z.string(), filename: z.string() });

// ---------------------------------------------------------------- declared catalogs' views
const catalogStatus = z.enum(['active', 'inactive']);

/** A story template; `hiddenPrompt` only for staff. */
export const storyTemplateView = z.object({
  id: z.string(),
  name: z.string(),
  thumbnail: z.string().nullable(),
  introduction: z.string().nullable(),
  components: z.array(z.unknown()),
  maxCharacters: z.number(),
  hiddenPrompt: z.string().nullable().optional(),
  status: catalogStatus,
  created_at: isoOrNull,
  updated_at: isoOrNull,
});
export type StoryTemplateView = z.infer<typeof storyTemplateView>;
export const systemPromptPostView = z.object({ id: z.string(), content: z.string(), created_at: isoOrNull });
export type SystemPromptPostView = z.infer<typeof systemPromptPostView>;
export const languageView = z.object({ id: z.string(), language: z.string(), created_at: isoOrNull });
export type LanguageView = z.infer<typeof languageView>;
export const artStyleView = z.object({
  id: z.string(),
  name: z.string(),
  keyword: z.string(),
  thumbnail: z.string().nullable(),
  status: catalogStatus,
  created_at: isoOrNull,
});
export type ArtStyleView = z.infer<typeof artStyleView>;
export const musicTypeView = z.object({ id: z.string(), name: z.string(), created_at: isoOrNull });
export type MusicTypeView = z.infer<typeof musicTypeView>;
export const musicView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  type: z.string(),
  created_at: isoOrNull,
});
export type MusicView = z.infer<typeof musicView>;
export const promptTemplateView = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string(),
  content: z.string(),
  is_active: z.boolean(),
  created_at: isoOrNull,
  updated_at: isoOrNull,
});
export type PromptTemplateView = z.infer<typeof promptTemplateView>;
export const AI_MODEL_TYPES = ['chat', 'other', 't2i', 'i2t'] as const;
/** An AI model as staff see it: whether a key is set, never the key. */
export const aiModelView = z.object({
  id: z.string(),
  llm_id: z.string(),
  name: z.string(),
  type: z.enum(AI_MODEL_TYPES),
  provider_model: z.string(),
  base_url: z.string().nullable(),
  has_api_key: z.boolean(),
  temperature: z.number().nullable(),
  max_tokens: z.number().nullable(),
  is_active: z.boolean(),
  usage_count: z.number(),
  last_used_at: isoOrNull,
  created_at: z.string(),
});
export type AiModelView = z.infer<typeof aiModelView>;

/**
 * The view of each declared catalog, by its collection path (the descriptor's `api.path`). The
 * server derives every generated route's response from it: the view for get, create and update, a
 * list of views (or `{ total, items }` when the catalog is paged) for list. A descriptor without an
 * entry here is refused when its routes are registered.
 */
export const catalogViews: Readonly<Record<string, ZodType>> = {
  '/api/v1/story-templates': storyTemplateView,
  '/api/v1/system-prompt-posts': systemPromptPostView,
  '/api/v1/languages': languageView,
  '/api/v1/art-styles': artStyleView,
  '/api/v1/music/types': musicTypeView,
  '/api/v1/music': musicView,
  '/api/v1/story-admin/prompt-templates': promptTemplateView,
  '/api/v1/story-admin/ai-models': aiModelView,
};
