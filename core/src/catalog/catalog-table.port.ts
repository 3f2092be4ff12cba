import type { StoryModels } from '../adapters/sequelize/story.models.js';
import type { CreationValues } from '../adapters/sequelize/catalog-table.js';

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

/** One stored row of a catalog table. */
export type RowOf<K extends CatalogModel> = InstanceType<StoryModels[K]>;
/** The columns given when a row is created (those the table fills itself may be left out). */
export type ValuesOf<K extends CatalogModel> = CreationValues<RowOf<K>>;

/** Equality on columns: the only filter catalogs need (a status, a type, a name). */
export type Filter = Record<string, string | number | boolean>;
export type Ordering = ReadonlyArray<readonly [column: string, direction: 'ASC' | 'DESC']>;

/**
 * Where a catalog's rows live. Core reads and writes catalogs only through this port, so the
 * generic catalog service never sees Sequelize (adapters/sequelize/catalog-table.ts implements it).
 */
export interface CatalogTable<Row, Values> {
  byId(id: string): Promise<Row | null>;
  first(where: Filter, order?: Ordering): Promise<Row | null>;
  all(where: Filter, order: Ordering): Promise<Row[]>;
  page(
    where: Filter,
    order: Ordering,
    window: { limit: number; offset: number },
  ): Promise<{ rows: Row[]; total: number }>;
  count(where: Filter): Promise<number>;
  insert(values: Values): Promise<Row>;
  /** The row matching `where`, created from `values` when there is none (two racing callers get one row). */
  findOrInsert(where: Filter, values: Values): Promise<Row>;
  change(row: Row, patch: Partial<Values>): Promise<Row>;
  /** Deletes the row and answers its columns as they were (for the audit log). */
  remove(row: Row): Promise<Record<string, unknown>>;
}

export interface CatalogTables {
  of<K extends CatalogModel>(model: K): CatalogTable<RowOf<K>, ValuesOf<K>>;
}
