import { z } from 'zod';
import type { PromptTemplateRecord } from '../catalog-records.js';
import { defineCatalog, isoDate } from '../catalog-descriptor.js';

const promptTemplate = z.object({
  type: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  content: z.string().min(1).max(50_000),
  is_active: z.boolean().optional(),
});

export function promptTemplateView(row: PromptTemplateRecord) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    content: row.content,
    is_active: !!row.is_active,
    created_at: isoDate(row.created_at),
    updated_at: isoDate(row.updated_at),
  };
}

/**
 * The prompts the story features are built from, one active template per type (staff only; not in
 * the contract, the admin edits them). Readers of a type's prompt use `CatalogService.promptTemplateOfType`.
 */
export const promptTemplates = defineCatalog({
  model: 'PromptTemplate',
  noun: 'Prompt template',
  auditKind: 'prompt_template',
  readers: 'staff',
  api: {
    path: '/api/v1/story-admin/prompt-templates',
    operations: ['list', 'get', 'create', 'update', 'delete'],
    summaries: {
      list: 'All prompt templates (staff)',
      get: 'A prompt template (staff)',
      create: 'Create a prompt template (staff)',
      update: 'Update a prompt template (staff)',
      delete: 'Delete a prompt template (staff)',
    },
  },
  list: {
    order: [
      ['type', 'ASC'],
      ['name', 'ASC'],
    ],
    filter: { column: 'type', values: z.string().max(64).optional() },
  },
  create: promptTemplate,
  update: promptTemplate.partial(),
  view: (row) => promptTemplateView(row),
  newRow: (input, { newId, now }) => ({
    id: newId(),
    type: input.type,
    name: input.name,
    content: input.content,
    is_active: input.is_active ?? true,
    created_at: now,
    updated_at: now,
  }),
  patch: (input, _row, { now }) => ({ ...input, updated_at: now }),
});
