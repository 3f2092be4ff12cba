import type { CreationAttributes, Model, ModelStatic, WhereOptions } from 'sequelize';
import type {
  CatalogModel,
  CatalogTable,
  CatalogTables,
  Filter,
  Ordering,
} from '../../catalog/catalog-table.port.js';
import type { StoryModels } from './story.models.js';

/** A row's creation columns, as the catalog port names them. */
export type CreationValues<M extends Model> = CreationAttributes<M>;

/** The Sequelize side of the catalog port: each catalog model as a {@link CatalogTable}. */
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
    all: (filter, ordering) => model.findAll({ where: where(filter), order: order(ordering) }),
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
