import type { CatalogTable, CatalogTables, Filter, Ordering } from '../catalog-table.port.js';

type Row = Record<string, unknown> & { id: string };

/** The catalog tables in memory (unit tests of CatalogCrud and CatalogService): the port is all they need. */
export function memoryTables(): CatalogTables & { rows: Map<string, Row[]> } {
  const rows = new Map<string, Row[]>();
  const of = (model: string): CatalogTable<Row, Row> => {
    if (!rows.has(model)) rows.set(model, []);
    const all = rows.get(model)!;
    const matches = (filter: Filter) =>
      all.filter((row) => Object.entries(filter).every(([k, v]) => row[k] === v));
    const sorted = (list: Row[], order: Ordering) =>
      [...list].sort((a, b) => {
        for (const [column, direction] of order) {
          const diff = String(a[column]).localeCompare(String(b[column]));
          if (diff) return direction === 'ASC' ? diff : -diff;
        }
        return 0;
      });
    return {
      byId: async (id) => all.find((row) => row.id === id) ?? null,
      first: async (filter, order = []) => sorted(matches(filter), order)[0] ?? null,
      all: async (filter, order, limit) => sorted(matches(filter), order).slice(0, limit),
      page: async (filter, order, { limit, offset }) => {
        const found = sorted(matches(filter), order);
        return { rows: found.slice(offset, offset + limit), total: found.length };
      },
      count: async (filter) => matches(filter).length,
      insert: async (values) => (all.push({ ...values }), all[all.length - 1]),
      findOrInsert: async (filter, values) =>
        matches(filter)[0] ?? (all.push({ ...values }), all[all.length - 1]),
      change: async (row, patch) => Object.assign(row, patch),
      remove: async (row) => (all.splice(all.indexOf(row), 1), { ...row }),
    };
  };
  return { rows, of: of as CatalogTables['of'] };
}
