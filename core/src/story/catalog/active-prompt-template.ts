import type { PromptTemplateRecord } from './catalog-records.js';
import type { CatalogTables } from './catalog-table.port.js';

/**
 * The prompt template of a type that the story features use: the active one edited last (staff
 * may keep several of a type and switch between them).
 */
export function activePromptTemplate(
  tables: CatalogTables,
  type: string,
): Promise<PromptTemplateRecord | null> {
  return tables.of('PromptTemplate').first({ type, is_active: true }, [['updated_at', 'DESC']]);
}
