import { z } from 'zod';
import { defineCatalog, isoDate } from '../catalog-descriptor.js';
import { catalogStatus, mediaUrl } from './catalog-fields.js';

const artStyle = z.object({
  name: z.string().min(1).max(128),
  keyword: z.string().min(1).max(255),
  thumbnail: mediaUrl.nullable().optional(),
  status: catalogStatus.optional(),
});

/** Contract 002's art styles: the keyword is what image prompts get. */
export const artStyles = defineCatalog({
  model: 'ArtStyle',
  noun: 'Art style',
  auditKind: 'art_style',
  readers: 'member',
  api: {
    path: '/api/v1/art-styles',
    operations: ['list', 'get', 'create', 'update', 'delete'],
    summaries: {
      list: 'Art styles',
      get: 'An art style',
      create: 'Create an art style (staff)',
      update: 'Update an art style (staff)',
      delete: 'Delete an art style (staff)',
    },
  },
  list: { order: [['created_at', 'ASC']], filter: { column: 'status', values: catalogStatus.optional() } },
  create: artStyle,
  update: artStyle.partial(),
  view: (row) => ({
    id: row.id,
    name: row.name,
    keyword: row.keyword,
    thumbnail: row.thumbnail,
    status: row.status,
    created_at: isoDate(row.created_at),
  }),
  newRow: (input, { newId, now }) => ({
    id: newId(),
    name: input.name,
    keyword: input.keyword,
    thumbnail: input.thumbnail ?? null,
    status: input.status ?? 'active',
    created_at: now,
  }),
  patch: (input) => input,
});
