import type { AiModelRecord } from '../llm/ai-model.repository.js';
import type {
  ArtStyleRecord,
  LanguageRecord,
  MusicRecord,
  MusicTypeRecord,
  PromptTemplateRecord,
  StoryTemplateRecord,
  SystemPromptPostRecord,
} from './catalog-records.js';

/** The story tables a catalog descriptor may name (characters and stories have their own service). */
export type CatalogModel =
  | 'SystemPromptPost'
  | 'Language'
  | 'Music'
  | 'MusicType'
  | 'ArtStyle'
  | 'PromptTemplate'
  | 'StoryTemplate'
  | 'AiModel';

/** The record type of each catalog table. */
interface CatalogRecords {
  SystemPromptPost: SystemPromptPostRecord;
  Language: LanguageRecord;
  Music: MusicRecord;
  MusicType: MusicTypeRecord;
  ArtStyle: ArtStyleRecord;
  PromptTemplate: PromptTemplateRecord;
  StoryTemplate: StoryTemplateRecord;
  AiModel: AiModelRecord;
}

/** Columns the table fills itself when a new row leaves them out (their column defaults). */
interface DefaultedColumns {
  SystemPromptPost: never;
  Language: never;
  Music: never;
  MusicType: never;
  ArtStyle: never;
  PromptTemplate: 'is_active';
  StoryTemplate: never;
  AiModel: 'is_active' | 'usage_count' | 'last_used_at';
}

/** One stored row of a catalog table. */
export type RowOf<K extends CatalogModel> = CatalogRecords[K];
/** The columns given when a row is created (those the table fills itself may be left out). */
export type ValuesOf<K extends CatalogModel> = Omit<RowOf<K>, DefaultedColumns[K]> &
  Partial<Pick<RowOf<K>, DefaultedColumns[K] & keyof RowOf<K>>>;

/** Equality on columns: the only filter catalogs need (a status, a type, a name). */
export type Filter = Record<string, string | number | boolean>;
export type Ordering = ReadonlyArray<readonly [column: string, direction: 'ASC' | 'DESC']>;

/**
 * Where a catalog's rows live. Core reads and writes catalogs only through this port, so the
 * generic catalog service never sees Sequelize (catalog-table.ts in the adapters folder implements it).
 */
export interface CatalogTable<Row, Values> {
  byId(id: string): Promise<Row | null>;
  first(where: Filter, order?: Ordering): Promise<Row | null>;
  /** The matching rows in `order`, the first `limit` of them when given. */
  all(where: Filter, order: Ordering, limit?: number): Promise<Row[]>;
  page(
    where: Filter,
    order: Ordering,
    window: { limit: number; offset: number },
  ): Promise<{ rows: Row[]; total: number }>;
  count(where: Filter): Promise<number>;
  insert(values: Values): Promise<Row>;
  /** The row matching `where`, created from `values` when there is none (two racing callers get one row). */
  findOrInsert(where: Filter, values: Values): Promise<Row>;
  /** Writes `patch` onto a row this table answered, and answers it changed. */
  change(row: Row, patch: Partial<Values>): Promise<Row>;
  /** Deletes a row this table answered, and answers its columns as they were (for the audit log). */
  remove(row: Row): Promise<Record<string, unknown>>;
}

export interface CatalogTables {
  of<K extends CatalogModel>(model: K): CatalogTable<RowOf<K>, ValuesOf<K>>;
}
