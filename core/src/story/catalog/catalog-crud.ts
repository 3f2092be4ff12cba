import { ForbiddenError, NotFoundError } from '../../errors.js';
import { isStaff, type Actor } from '../../identity/actor.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Clock } from '../../ports/clock.port.js';
import type { IdGenerator } from '../../shared/ids.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { AnyCatalogDescriptor, CatalogDescriptor, CatalogWriteTools } from './catalog-descriptor.js';
import type { CatalogModel, CatalogTables, Filter, RowOf } from './catalog-table.port.js';

export interface Page<T> {
  total: number;
  items: T[];
}

/** A list request: `page`/`limit` for paged catalogs, the filter column's value for the others. */
export type CatalogListQuery = { page?: number; limit?: number } & Record<string, unknown>;

export interface CatalogCrudDeps {
  tables: CatalogTables;
  ids: IdGenerator;
  clock: Clock;
  secrets: SecretBox;
  /** Deletes are kept in the audit log with the deleted row. */
  audit: AuditLog;
}

function requireStaff(actor: Actor) {
  if (!isStaff(actor)) throw new ForbiddenError('Staff only');
}

/** The `limit`/`offset` of a page: 10 a page by default, at most 100. */
export function pageWindow(input: { page?: number; limit?: number }) {
  const limit = Math.min(Math.max(input.limit ?? 10, 1), 100);
  const page = Math.max(input.page ?? 1, 1);
  return { limit, offset: (page - 1) * limit };
}

/** The use cases of one catalog, generated from its descriptor. */
export class CatalogCrud<K extends CatalogModel, C, U, V> {
  constructor(
    readonly catalog: CatalogDescriptor<K, C, U, V>,
    private readonly deps: CatalogCrudDeps,
  ) {}

  private get table() {
    return this.deps.tables.of(this.catalog.model);
  }

  private tools(): CatalogWriteTools {
    return {
      newId: () => this.deps.ids.snowflake(),
      now: this.deps.clock.now(),
      tables: this.deps.tables,
      secrets: this.deps.secrets,
    };
  }

  private mayRead(actor: Actor) {
    if (this.catalog.readers === 'staff') requireStaff(actor);
  }

  private async mustFind(id: string): Promise<RowOf<K>> {
    const row = await this.table.byId(id);
    if (!row) throw new NotFoundError(this.catalog.noun);
    return row;
  }

  /** A paged catalog answers a {@link Page}, the others every (matching) row. */
  async list(actor: Actor, query: CatalogListQuery = {}): Promise<Page<V> | V[]> {
    this.mayRead(actor);
    const { order, paged, filter } = this.catalog.list;
    const where: Filter = {};
    const wanted = filter ? query[filter.column] : undefined;
    if (filter && typeof wanted === 'string' && wanted) where[filter.column] = wanted;
    const view = (row: RowOf<K>) => this.catalog.view(row, actor);
    if (!paged) return (await this.table.all(where, order)).map(view);
    const { rows, total } = await this.table.page(where, order, pageWindow(query));
    return { total, items: rows.map(view) };
  }

  async get(actor: Actor, id: string): Promise<V> {
    this.mayRead(actor);
    return this.catalog.view(await this.mustFind(id), actor);
  }

  async create(actor: Actor, input: C): Promise<V> {
    requireStaff(actor);
    const tools = this.tools();
    await this.catalog.beforeCreate?.(input, tools);
    const values = this.catalog.newRow(input, tools);
    const row = this.catalog.reuse
      ? await this.table.findOrInsert(this.catalog.reuse(input), values)
      : await this.table.insert(values);
    return this.catalog.view(row, actor);
  }

  async update(actor: Actor, id: string, input: U): Promise<V> {
    requireStaff(actor);
    const row = await this.mustFind(id);
    const tools = this.tools();
    await this.catalog.beforeUpdate?.(input, row, tools);
    return this.catalog.view(await this.table.change(row, this.catalog.patch(input, row, tools)), actor);
  }

  /** Staff deletes are kept in the audit log with the row as it was. */
  async remove(actor: Actor, id: string): Promise<void> {
    requireStaff(actor);
    const row = await this.mustFind(id);
    await this.catalog.beforeDelete?.(row, this.tools());
    const before = await this.table.remove(row);
    const kind = this.catalog.auditKind;
    await this.deps.audit.record(actor, `${kind}.delete`, { kind, id: String(before.id) }, before);
  }
}

/** Every declared catalog's use cases, built on first use from its descriptor. */
export class Catalogs {
  private readonly built = new Map<
    AnyCatalogDescriptor,
    CatalogCrud<CatalogModel, unknown, unknown, unknown>
  >();

  constructor(private readonly deps: CatalogCrudDeps) {}

  of<K extends CatalogModel, C, U, V>(catalog: CatalogDescriptor<K, C, U, V>): CatalogCrud<K, C, U, V> {
    let crud = this.built.get(catalog);
    if (!crud) this.built.set(catalog, (crud = new CatalogCrud(catalog, this.deps) as never));
    return crud as unknown as CatalogCrud<K, C, U, V>;
  }
}
