import { z } from 'zod';
import { AppError } from '../../../errors.js';
import { defineCatalog, isoDate, type CatalogWriteTools } from '../catalog-descriptor.js';
import { mediaUrl } from './catalog-fields.js';

const typeName = z.string().min(1).max(64);
const musicEntry = z.object({ name: z.string().min(1).max(255), url: mediaUrl, type: typeName });

/** A music entry's type is created with it when new: types are a list to pick from, not a gate. */
async function ensureMusicType({ tables, newId, now }: CatalogWriteTools, name: string) {
  await tables.of('MusicType').findOrInsert({ name }, { id: newId(), name, created_at: now });
}

/** Music types, listed (by name) to pick from; one row per name. */
export const musicTypes = defineCatalog({
  model: 'MusicType',
  noun: 'Music type',
  auditKind: 'music_type',
  readers: 'member',
  api: {
    path: '/api/v1/music/types',
    operations: ['list', 'create', 'delete'],
    summaries: {
      list: 'Music types',
      create: 'Create a music type (staff)',
      delete: 'Delete an unused music type (staff)',
    },
  },
  list: { order: [['name', 'ASC']] },
  create: z.object({ name: typeName }),
  // No update route: a type is its name, and music entries refer to it by name.
  update: z.object({}),
  view: (row) => ({ id: row.id, name: row.name, created_at: isoDate(row.created_at) }),
  // Creating a type that exists answers the existing one (music entries create types this way too).
  reuse: (input) => ({ name: input.name }),
  newRow: (input, { newId, now }) => ({ id: newId(), name: input.name, created_at: now }),
  patch: () => ({}),
  beforeDelete: async (row, { tables }) => {
    const used = await tables.of('Music').count({ type: row.name });
    if (used) throw new AppError('IN_USE', `${used} music entries use this type`, { status: 409 });
  },
});

/** Contract 002's music: tracks a story plays behind its scenes (the URL is what players get). */
export const music = defineCatalog({
  model: 'Music',
  noun: 'Music',
  auditKind: 'music',
  readers: 'member',
  api: {
    path: '/api/v1/music',
    operations: ['list', 'get', 'create', 'update', 'delete'],
    summaries: {
      list: 'Music, optionally of one type',
      get: 'A music entry',
      create: 'Create a music entry (staff)',
      update: 'Update a music entry (staff)',
      delete: 'Delete a music entry (staff)',
    },
  },
  list: {
    order: [['created_at', 'DESC']],
    filter: { column: 'type', values: z.string().max(64).optional() },
  },
  create: musicEntry,
  update: musicEntry.partial(),
  view: (row) => ({
    id: row.id,
    name: row.name,
    url: row.url,
    type: row.type,
    created_at: isoDate(row.created_at),
  }),
  beforeCreate: (input, tools) => ensureMusicType(tools, input.type),
  beforeUpdate: async (input, _row, tools) => {
    if (input.type) await ensureMusicType(tools, input.type);
  },
  newRow: (input, { newId, now }) => ({ id: newId(), ...input, created_at: now }),
  patch: (input) => input,
});
