import { z } from 'zod';
import { AppError } from '../../../errors.js';
import { defineCatalog, isoDate, type CatalogWriteTools } from '../catalog-descriptor.js';

const language = z.object({ language: z.string().min(1).max(64) });

/**
 * One row per language: a second "English" (or "english ") is a conflict with the stored one
 * (409, like a duplicate template or model), so clients never have to choose between two ids.
 */
async function assertLanguageFree({ tables }: CatalogWriteTools, wanted: string, exceptId?: string) {
  const key = wanted.trim().toLowerCase();
  const rows = await tables.of('Language').all({}, []);
  const taken = rows.find((row) => row.id !== exceptId && row.language.trim().toLowerCase() === key);
  if (taken)
    throw new AppError('LANGUAGE_EXISTS', `Language ${taken.language} already exists (${taken.id})`, {
      status: 409,
    });
}

/** Contract 002's languages: what stories and characters may be written in. */
export const languages = defineCatalog({
  model: 'Language',
  noun: 'Language',
  auditKind: 'language',
  readers: 'member',
  api: {
    path: '/api/v1/languages',
    operations: ['create', 'list', 'get', 'update', 'delete'],
    summaries: {
      create: 'Create a language (staff)',
      list: 'All languages',
      get: 'A language',
      update: 'Rename a language (staff)',
      delete: 'Delete a language (staff)',
    },
  },
  list: { order: [['created_at', 'ASC']] },
  create: language,
  // Renaming gives the whole new name.
  update: language,
  view: (row) => ({ id: row.id, language: row.language, created_at: isoDate(row.created_at) }),
  beforeCreate: (input, tools) => assertLanguageFree(tools, input.language),
  beforeUpdate: (input, row, tools) => assertLanguageFree(tools, input.language, row.id),
  newRow: (input, { newId, now }) => ({ id: newId(), language: input.language, created_at: now }),
  patch: (input) => ({ language: input.language }),
});
