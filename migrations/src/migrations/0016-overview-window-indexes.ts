import type { QueryInterface } from 'sequelize';

/**
 * The staff overview (GET /api/v1/admin/overview) counts what happened in a time window: tasks,
 * chat messages, new conversations and ledger entries by their creation time. Without these
 * indexes each of its queries would read the whole table; with them, only the window's rows.
 */
const INDEXES = [
  { table: 'generation_tasks', fields: ['created_at', 'source'], name: 'generation_tasks_created' },
  { table: 'chat_messages', fields: ['created_at'], name: 'chat_messages_created' },
  { table: 'conversations', fields: ['created_at'], name: 'conversations_created' },
  { table: 'credit_ledger', fields: ['created_at', 'kind'], name: 'credit_ledger_created' },
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const { table, fields, name } of INDEXES) await qi.addIndex(table, fields, { name });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const { table, name } of INDEXES) await qi.removeIndex(table, name);
}
