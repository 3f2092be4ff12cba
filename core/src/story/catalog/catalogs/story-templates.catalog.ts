import { z } from 'zod';
import { AppError } from '../../../errors.js';
import { isStaff } from '../../../identity/actor.js';
import { defineCatalog, isoDate } from '../catalog-descriptor.js';
import type { ValuesOf } from '../catalog-table.port.js';
import type { StoryTemplateRecord } from '../catalog-records.js';
import { catalogStatus, mediaUrl } from './catalog-fields.js';

const templateFields = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  name: z.string().min(1).max(255),
  thumbnail: mediaUrl.nullable().optional(),
  introduction: z.string().max(20_000).nullable().optional(),
  components: z.array(z.unknown()).max(100).optional(),
  maxCharacters: z.number().int().min(1).max(50).optional(),
  hiddenPrompt: z.string().max(50_000).nullable().optional(),
  status: catalogStatus.optional(),
});

/** The whole template as staff see it (the contract's camelCase names). */
export function storyTemplateView(row: StoryTemplateRecord) {
  return {
    id: row.id,
    name: row.name,
    thumbnail: row.thumbnail,
    introduction: row.introduction,
    components: JSON.parse(row.components) as unknown[],
    maxCharacters: row.max_characters,
    hiddenPrompt: row.hidden_prompt,
    status: row.status,
    created_at: isoDate(row.created_at),
    updated_at: isoDate(row.updated_at),
  };
}

/** Contract 002's story templates: what a published story starts from (cast size, hidden prompt). */
export const storyTemplates = defineCatalog({
  model: 'StoryTemplate',
  noun: 'Story template',
  auditKind: 'story_template',
  readers: 'member',
  api: {
    path: '/api/v1/story-templates',
    operations: ['list', 'get', 'create', 'update', 'delete'],
    summaries: {
      list: 'Story templates (hiddenPrompt for staff only)',
      get: 'A story template (hiddenPrompt for staff only)',
      create: 'Create a story template (staff)',
      update: 'Update a story template (staff)',
      delete: 'Delete a story template (staff)',
    },
  },
  list: { order: [['created_at', 'ASC']], filter: { column: 'status', values: catalogStatus.optional() } },
  create: templateFields,
  // The id is chosen (or made) once, on create.
  update: templateFields.omit({ id: true }).partial(),
  /**
   * The hidden prompt steers the characters without the players knowing it: staff (who write it)
   * see it, players get the template without the field.
   */
  view: (row, actor) => {
    const { hiddenPrompt, ...visible } = storyTemplateView(row);
    return isStaff(actor) ? { ...visible, hiddenPrompt } : visible;
  },
  // A chosen id that is taken is a conflict, not a constraint failure (500).
  beforeCreate: async (input, { tables }) => {
    if (input.id && (await tables.of('StoryTemplate').byId(input.id)))
      throw new AppError('TEMPLATE_EXISTS', `Story template ${input.id} already exists`, { status: 409 });
  },
  newRow: (input, { newId, now }) => ({
    id: input.id ?? newId(),
    name: input.name,
    thumbnail: input.thumbnail ?? null,
    introduction: input.introduction ?? null,
    components: JSON.stringify(input.components ?? []),
    max_characters: input.maxCharacters ?? 5,
    hidden_prompt: input.hiddenPrompt ?? null,
    status: input.status ?? 'active',
    created_at: now,
    updated_at: now,
  }),
  patch: (input, _row, { now }) => {
    const patch: Partial<ValuesOf<'StoryTemplate'>> = { updated_at: now };
    if (input.name !== undefined) patch.name = input.name;
    if (input.thumbnail !== undefined) patch.thumbnail = input.thumbnail;
    if (input.introduction !== undefined) patch.introduction = input.introduction;
    if (input.components !== undefined) patch.components = JSON.stringify(input.components);
    if (input.maxCharacters !== undefined) patch.max_characters = input.maxCharacters;
    if (input.hiddenPrompt !== undefined) patch.hidden_prompt = input.hiddenPrompt;
    if (input.status !== undefined) patch.status = input.status;
    return patch;
  },
});
