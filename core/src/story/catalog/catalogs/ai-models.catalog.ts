import { z } from 'zod';
import { AppError } from '../../../errors.js';
import { aiModelView, MODEL_TYPES } from '../../llm/llm.service.js';
import { defineCatalog, type CatalogWriteTools } from '../catalog-descriptor.js';

const aiModel = z.object({
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

/** `llm_id` is unique: a second one is a conflict (409), not a constraint failure (500). */
async function assertLlmIdFree({ tables }: CatalogWriteTools, llmId: string) {
  if (await tables.of('AiModel').first({ llm_id: llmId }))
    throw new AppError('MODEL_EXISTS', `Model ${llmId} already exists`, { status: 409 });
}

/**
 * The chat, image and video models the stories may use (staff only, reads included: the view
 * shows whether a key is set, never the key, which is stored sealed).
 */
export const aiModels = defineCatalog({
  model: 'AiModel',
  noun: 'AI model',
  auditKind: 'ai_model',
  readers: 'staff',
  api: {
    path: '/api/v1/story-admin/ai-models',
    operations: ['list', 'get', 'create', 'update', 'delete'],
    summaries: {
      list: 'All AI models with usage counts and last use (staff)',
      get: 'An AI model (staff)',
      create: 'Create an AI model (staff; the API key is stored encrypted)',
      update: 'Update an AI model (staff)',
      delete: 'Delete an AI model (staff)',
    },
  },
  list: {
    order: [
      ['type', 'ASC'],
      ['llm_id', 'ASC'],
    ],
  },
  create: aiModel,
  update: aiModel.partial(),
  view: (row) => aiModelView(row),
  beforeCreate: (input, tools) => assertLlmIdFree(tools, input.llm_id),
  beforeUpdate: async (input, row, tools) => {
    if (input.llm_id !== undefined && input.llm_id !== row.llm_id) await assertLlmIdFree(tools, input.llm_id);
  },
  newRow: (input, { newId, now, secrets }) => ({
    id: newId(),
    llm_id: input.llm_id,
    name: input.name ?? input.llm_id,
    type: input.type,
    provider_model: input.provider_model,
    base_url: input.base_url ?? null,
    api_key_enc: input.api_key ? secrets.seal(input.api_key) : null,
    temperature: input.temperature ?? null,
    max_tokens: input.max_tokens ?? null,
    is_active: input.is_active ?? true,
    created_at: now,
    updated_at: now,
  }),
  patch: ({ api_key, ...rest }, _row, { now, secrets }) => ({
    ...rest,
    updated_at: now,
    ...(api_key !== undefined ? { api_key_enc: api_key ? secrets.seal(api_key) : null } : {}),
  }),
});
