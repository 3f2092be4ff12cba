import type { Model, ModelStatic, WhereOptions } from 'sequelize';
import type {
  CatalogModel,
  CatalogTable,
  CatalogTables,
  Filter,
  Ordering,
} from '../../story/catalog/catalog-table.port.js';
import type { StoryModels } from './story.models.js';

/**
 * The Sequelize side of the catalog port: each catalog model as a {@link CatalogTable}. Rows are
 * answered as model instances (they have exactly the records' columns), so `change` and `remove`
 * act on the instance the table answered.
 */
export function sequelizeCatalogTables(models: StoryModels): CatalogTables {
  return {
    of: <K extends CatalogModel>(model: K) =>
      tableOf(models[model] as unknown as ModelStatic<Model>) as never,
  };
}

function tableOf(model: ModelStatic<Model>): CatalogTable<Model, Record<string, unknown>> {
  const where = (filter: Filter) => filter as WhereOptions;
  const order = (ordering: Ordering) =>
    ordering.map(([column, direction]) => [column, direction] as [string, string]);
  return {
    byId: (id) => model.findByPk(id),
    first: (filter, ordering = []) => model.findOne({ where: where(filter), order: order(ordering) }),
    all: (filter, ordering, limit) =>
      model.findAll({
        where: where(filter),
        order: order(ordering),
        ...(limit === undefined ? {} : { limit }),
      }),
    page: async (filter, ordering, window) => {
      const { rows, count } = await model.findAndCountAll({
        where: where(filter),
        order: order(ordering),
        ...window,
      });
      return { rows, total: count };
    },
    count: (filter) => model.count({ where: where(filter) }),
    insert: (values) => model.create(values),
    findOrInsert: async (filter, values) =>
      (await model.findOrCreate({ where: where(filter), defaults: values }))[0],
    change: (row, patch) => row.update(patch),
    remove: async (row) => {
      const before = row.toJSON() as Record<string, unknown>;
      await row.destroy();
      return before;
    },
  };
}
