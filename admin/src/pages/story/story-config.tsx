import type { StoryResourceApi } from '../../providers/story-data-provider';

/** How a column shows its value. */
export type ColumnKind = 'text' | 'long' | 'image' | 'audio' | 'date' | 'bool' | 'count' | 'tag';
/**
 * How a form field edits its value: `image` and `audio` are media URLs (typed, or uploaded for
 * images) with a preview and a load check; `catalog` picks a value from another catalog.
 */
export type FieldKind =
  'text' | 'textarea' | 'number' | 'switch' | 'json' | 'password' | 'select' | 'image' | 'audio' | 'catalog';

/** i18n groups under `story.enums` that label a column's or select's values (never shown raw). */
export type EnumLabels = 'status' | 'modelType' | 'characterType';

export interface StoryColumn {
  key: string;
  kind?: ColumnKind;
  labels?: EnumLabels;
  /** Secondary columns: shown from this breakpoint up, in the row's expanded detail below it. */
  from?: 'sm' | 'md' | 'lg' | 'xl' | 'xxl';
}

export interface StoryField {
  key: string;
  kind?: FieldKind;
  required?: boolean;
  options?: readonly string[];
  labels?: EnumLabels;
  /** For `catalog` fields: the catalog listed and the row field stored. */
  catalog?: { resource: string; field: string };
  /** Only when creating (e.g. a chosen id). */
  createOnly?: boolean;
  min?: number;
  max?: number;
  step?: number;
}

export interface StoryResourceConfig {
  name: string;
  route: string;
  api: StoryResourceApi;
  columns: StoryColumn[];
  /** Without fields the resource is read-only in the admin. */
  fields?: StoryField[];
  canEdit?: boolean;
  canDelete?: boolean;
  /** An endpoint taking a multipart `file` that creates one record (e.g. a character card). */
  importPath?: string;
}

const STATUS = ['active', 'inactive'] as const;

/** Contract 002 catalogs in the admin; one generic list and form render them all. */
export const storyResourceConfigs: StoryResourceConfig[] = [
  {
    name: 'story_templates',
    route: '/story-templates',
    api: { list: '/api/v1/story-templates', listShape: 'array', item: '/api/v1/story-templates/:id' },
    columns: [
      { key: 'thumbnail', kind: 'image' },
      { key: 'id' },
      { key: 'name' },
      { key: 'maxCharacters', kind: 'count' },
      { key: 'status', kind: 'tag', labels: 'status' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [
      { key: 'id', createOnly: true },
      { key: 'name', required: true },
      { key: 'thumbnail', kind: 'image' },
      { key: 'introduction', kind: 'textarea' },
      { key: 'components', kind: 'json' },
      { key: 'maxCharacters', kind: 'number', min: 1, max: 50 },
      { key: 'hiddenPrompt', kind: 'textarea' },
      { key: 'status', kind: 'select', options: STATUS, labels: 'status' },
    ],
  },
  {
    name: 'prompt_templates',
    route: '/prompt-templates',
    api: {
      list: '/api/v1/story-admin/prompt-templates',
      listShape: 'array',
      item: '/api/v1/story-admin/prompt-templates/:id',
    },
    columns: [
      { key: 'type', kind: 'tag' },
      { key: 'name' },
      { key: 'content', kind: 'long' },
      { key: 'is_active', kind: 'bool' },
    ],
    fields: [
      { key: 'type', required: true },
      { key: 'name', required: true },
      { key: 'content', kind: 'textarea', required: true },
      { key: 'is_active', kind: 'switch' },
    ],
  },
  {
    name: 'story_characters',
    route: '/story-characters',
    api: {
      list: '/api/v1/story-admin/characters',
      listShape: 'paged',
      item: '/api/v1/characters/:id',
      create: '/api/v1/characters',
    },
    importPath: '/api/v1/characters/import',
    columns: [
      { key: 'avatar', kind: 'image' },
      { key: 'name' },
      { key: 'character_type', kind: 'tag', labels: 'characterType' },
      { key: 'personality', kind: 'long' },
      { key: 'llm_id' },
      { key: 'talkativeness', kind: 'count' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'avatar', kind: 'image' },
      { key: 'icon_url', kind: 'image' },
      { key: 'description', kind: 'textarea' },
      { key: 'personality', kind: 'textarea' },
      { key: 'background', kind: 'textarea' },
      { key: 'language' },
      { key: 'llm_id' },
      { key: 'talkativeness', kind: 'number', min: 0, max: 1, step: 0.1 },
    ],
  },
  {
    name: 'stories',
    route: '/stories',
    api: {
      list: '/api/v1/story-admin/stories',
      listShape: 'paged',
      item: '/api/v1/stories/:id',
      create: '/api/v1/stories',
    },
    columns: [
      { key: 'bg_image_url', kind: 'image' },
      { key: 'title' },
      { key: 'is_published', kind: 'bool' },
      { key: 'language' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [
      { key: 'title', required: true },
      { key: 'setting', kind: 'json', required: true },
    ],
  },
  {
    name: 'music',
    route: '/music',
    api: { list: '/api/v1/music', listShape: 'array', item: '/api/v1/music/:id', filters: ['type'] },
    columns: [
      { key: 'name' },
      { key: 'type', kind: 'tag' },
      { key: 'url', kind: 'audio' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'url', kind: 'audio', required: true },
      { key: 'type', kind: 'catalog', catalog: { resource: 'music_types', field: 'name' }, required: true },
    ],
  },
  {
    name: 'music_types',
    route: '/music-types',
    api: { list: '/api/v1/music/types', listShape: 'array', item: '/api/v1/music/types/:id' },
    columns: [
      { key: 'name', kind: 'tag' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [{ key: 'name', required: true }],
    canEdit: false,
  },
  {
    name: 'art_styles',
    route: '/art-styles',
    api: {
      list: '/api/v1/art-styles',
      listShape: 'array',
      item: '/api/v1/art-styles/:id',
      filters: ['status'],
    },
    columns: [
      { key: 'thumbnail', kind: 'image' },
      { key: 'name' },
      { key: 'keyword' },
      { key: 'status', kind: 'tag', labels: 'status' },
    ],
    fields: [
      { key: 'name', required: true },
      { key: 'keyword', required: true },
      { key: 'thumbnail', kind: 'image' },
      { key: 'status', kind: 'select', options: STATUS, labels: 'status' },
    ],
  },
  {
    name: 'languages',
    route: '/languages',
    api: { list: '/api/v1/languages', listShape: 'array', item: '/api/v1/languages/:id' },
    columns: [{ key: 'language' }, { key: 'created_at', kind: 'date' }],
    fields: [{ key: 'language', required: true }],
  },
  {
    name: 'system_prompt_posts',
    route: '/system-prompt-posts',
    api: { list: '/api/v1/system-prompt-posts', listShape: 'paged', item: '/api/v1/system-prompt-posts/:id' },
    columns: [
      { key: 'content', kind: 'long' },
      { key: 'created_at', kind: 'date' },
    ],
    fields: [{ key: 'content', kind: 'textarea', required: true }],
  },
  {
    name: 'ai_models',
    route: '/ai-models',
    api: {
      list: '/api/v1/story-admin/ai-models',
      listShape: 'array',
      item: '/api/v1/story-admin/ai-models/:id',
    },
    columns: [
      { key: 'llm_id' },
      { key: 'type', kind: 'tag', labels: 'modelType' },
      { key: 'provider_model' },
      { key: 'is_active', kind: 'bool' },
      { key: 'usage_count', kind: 'count' },
      { key: 'last_used_at', kind: 'date' },
    ],
    fields: [
      { key: 'llm_id', required: true },
      { key: 'name' },
      {
        key: 'type',
        kind: 'select',
        options: ['chat', 'other', 't2i', 'i2t'],
        labels: 'modelType',
        required: true,
      },
      { key: 'provider_model', required: true },
      { key: 'base_url' },
      { key: 'api_key', kind: 'password' },
      { key: 'temperature', kind: 'number', min: 0, max: 2, step: 0.1 },
      { key: 'max_tokens', kind: 'number', min: 1, max: 200000 },
      { key: 'is_active', kind: 'switch' },
    ],
  },
];

export const storyConfigByName = Object.fromEntries(
  storyResourceConfigs.map((config) => [config.name, config]),
);
