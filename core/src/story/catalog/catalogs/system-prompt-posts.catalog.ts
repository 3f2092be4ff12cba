import { z } from 'zod';
import { defineCatalog, isoDate } from '../catalog-descriptor.js';

const content = z.object({ content: z.string().min(1).max(50_000) });

/** Contract 002's system prompt posts: text staff publish for the story prompts. */
export const systemPromptPosts = defineCatalog({
  model: 'SystemPromptPost',
  noun: 'Post',
  auditKind: 'system_prompt_post',
  readers: 'member',
  api: {
    path: '/api/v1/system-prompt-posts',
    operations: ['create', 'list', 'get', 'update', 'delete'],
    summaries: {
      create: 'Create a system prompt post (staff)',
      list: 'System prompt posts, paged',
      get: 'A system prompt post',
      update: 'Update a system prompt post (staff)',
      delete: 'Delete a system prompt post (staff)',
    },
  },
  list: { order: [['created_at', 'DESC']], paged: true },
  create: content,
  // The contract's update replaces the content: it is required, as on create.
  update: content,
  view: (row) => ({ id: row.id, content: row.content, created_at: isoDate(row.created_at) }),
  newRow: (input, { newId, now }) => ({ id: newId(), content: input.content, created_at: now }),
  patch: (input) => ({ content: input.content }),
});
