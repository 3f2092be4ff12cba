import type {
  CreationAttributes,
  Model,
  ModelAttributeColumnOptions,
  ModelStatic,
  Transaction,
} from 'sequelize';

/**
 * Inserts many rows of a model as one multi-row INSERT without building a model instance per
 * row. `Model.bulkCreate` builds, defaults and reads back an instance for each of a batch's
 * thousand rows, which costs more CPU than the statement itself and holds the batch's first
 * queue job back; here the column defaults are filled in once from the model's attributes and
 * the values go through the same per-type escaping bulkCreate uses (dates in the configured
 * time zone, booleans as the dialect stores them).
 *
 * Only literal defaults are filled in: a column whose default is computed (a function, NOW)
 * must be given in every row, and an absent one throws rather than write a wrong value.
 */
export async function insertRows<M extends Model>(
  model: ModelStatic<M>,
  rows: Array<CreationAttributes<M>>,
  options: { transaction?: Transaction } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const attributes = model.getAttributes() as Record<
    string,
    ModelAttributeColumnOptions & { field?: string }
  >;
  const byField: Record<string, ModelAttributeColumnOptions> = {};
  const columns = Object.entries(attributes).map(([name, attribute]) => {
    const field = attribute.field ?? name;
    byField[field] = attribute;
    return { name, field, attribute };
  });
  const values = rows.map((row) => {
    const source = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const { name, field, attribute } of columns) {
      const fallback = attribute.defaultValue;
      if (source[name] !== undefined) out[field] = source[name];
      else if (fallback === undefined || fallback === null) out[field] = null;
      else if (['string', 'number', 'boolean'].includes(typeof fallback)) out[field] = fallback;
      else throw new Error(`insertRows: ${model.name}.${name} has a computed default; give it in every row`);
    }
    return out;
  });
  await model
    .sequelize!.getQueryInterface()
    .bulkInsert(model.getTableName(), values, { transaction: options.transaction }, byField);
}
