import type { ZodType } from 'zod';
import type { Actor } from '../../identity/actor.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { CatalogModel, CatalogTables, Filter, Ordering, RowOf, ValuesOf } from './catalog-table.port.js';

/** The five routes a catalog can have; a descriptor lists those it has, in registration order. */
export type CatalogOperation = 'list' | 'get' | 'create' | 'update' | 'delete';

/** What a catalog's write hooks may use: fresh ids, the request's time, other catalogs, the key box. */
export interface CatalogWriteTools {
  newId(): string;
  now: Date;
  tables: CatalogTables;
  secrets: SecretBox;
}

/**
 * One catalog, declared once: its table, what clients see of a row, the zod fields it accepts, who
 * may read it, its ordering and conflict rules, and its HTTP path and summaries. The generic
 * {@link CatalogCrud} turns it into core use cases and the server's route factory into the routes
 * and their OpenAPI entries, so a plain catalog is this object and nothing else.
 *
 * Writes are always staff-only (403 `Staff only`); reads are for any signed-in user or staff.
 */
export interface CatalogDescriptor<
  K extends CatalogModel = CatalogModel,
  C = unknown,
  U = unknown,
  V = unknown,
> {
  model: K;
  /** Names the row in a 404 (`Language not found`). */
  noun: string;
  /** The audit log's kind for deletes (`language.delete`). */
  auditKind: string;
  /** `staff`: the routes need staff and so do the use cases; `member`: any signed-in caller reads. */
  readers: 'member' | 'staff';
  api: {
    /** The collection path; items are `${path}/:id` unless `itemPath` says otherwise. */
    path: string;
    itemPath?: string;
    /** The routes, in the order they are registered (and documented). */
    operations: readonly CatalogOperation[];
    summaries: Partial<Record<CatalogOperation, string>>;
  };
  list: {
    order: Ordering;
    /** Paged lists answer `{ total, items }` and take `page`/`limit`; others answer an array. */
    paged?: boolean;
    /** An optional query value matched against the column of the same name (e.g. `status`). */
    filter?: { column: string; values: ZodType<string | undefined> };
  };
  /** The create body. */
  create: ZodType<C>;
  /** The update body (often `create.partial()`). */
  update: ZodType<U>;
  view(row: RowOf<K>, actor: Actor): V;
  /** The new row's columns. */
  newRow(input: C, tools: CatalogWriteTools): ValuesOf<K>;
  /** The columns an update changes. */
  patch(input: U, row: RowOf<K>, tools: CatalogWriteTools): Partial<ValuesOf<K>>;
  /** Create answers the existing row matching this instead of adding a second one. */
  reuse?: (input: C) => Filter;
  /** Conflicts and side effects before a create (e.g. 409 for a duplicate). */
  beforeCreate?(input: C, tools: CatalogWriteTools): Promise<void>;
  beforeUpdate?(input: U, row: RowOf<K>, tools: CatalogWriteTools): Promise<void>;
  /** E.g. 409 while other rows still use this one. */
  beforeDelete?(row: RowOf<K>, tools: CatalogWriteTools): Promise<void>;
}

/** Declares a catalog with its types inferred from the zod fields and the view. */
export function defineCatalog<K extends CatalogModel, C, U, V>(descriptor: CatalogDescriptor<K, C, U, V>) {
  return descriptor;
}

// Descriptors are stored and passed around without their type arguments (a registry of all catalogs).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCatalogDescriptor = CatalogDescriptor<any, any, any, any>;

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, or null: how every catalog view writes its dates. */
export const isoDate = (value: Date | string | null | undefined) =>
  value ? new Date(value).toISOString() : null;
