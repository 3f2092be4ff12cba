import { DataTypes } from 'sequelize';

/*
 * Attribute factories shared by the model files. Factories, not shared objects: Sequelize writes
 * into attribute definitions (e.g. `field`), so one object reused across columns corrupts them.
 * Columns are NOT NULL unless `allowNull` says otherwise, as in the migrations.
 */
export const pk = () => ({ type: DataTypes.STRING(36), primaryKey: true });
export const str = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
export const text = (allowNull = false) => ({ type: DataTypes.TEXT, allowNull });
export const int = (defaultValue?: number) => ({
  type: DataTypes.INTEGER,
  allowNull: false,
  ...(defaultValue === undefined ? {} : { defaultValue }),
});
export const nullableInt = () => ({ type: DataTypes.INTEGER, allowNull: true });
export const bool = (defaultValue: boolean) => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue });
export const date = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
