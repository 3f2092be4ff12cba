import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataTypes, Model, Sequelize } from 'sequelize';
import { insertRows } from './bulk-row.writer.js';

class Row extends Model {
  declare id: string;
  declare name: string;
  declare status: string;
  declare count: number;
  declare flag: boolean;
  declare note: string | null;
  declare created_at: Date;
}

class Stamped extends Model {
  declare id: string;
  declare at: Date;
}

describe('insertRows', () => {
  let sequelize: Sequelize;

  beforeAll(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    Row.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        name: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
        count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        flag: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        note: { type: DataTypes.STRING(64), allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'bulk_rows', timestamps: false },
    );
    Stamped.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      },
      { sequelize, tableName: 'bulk_stamped', timestamps: false },
    );
    await sequelize.sync();
  });

  afterAll(async () => {
    await sequelize.close();
  });

  it('writes the same rows bulkCreate would: given values, literal defaults, nulls, dates and booleans', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    await insertRows(Row, [
      { id: 'a', name: 'first', created_at: at },
      { id: 'b', name: 'second', status: 'running', count: 3, flag: true, note: 'hi', created_at: at },
    ]);
    await Row.bulkCreate([{ id: 'c', name: 'first', created_at: at }]);
    const rows = await Row.findAll({ order: [['id', 'ASC']], raw: true });
    expect(rows[0]).toEqual({ ...rows[2], id: 'a' });
    expect(rows[0]).toMatchObject({ status: 'pending', count: 0, note: null });
    expect(Boolean(rows[0].flag)).toBe(false);
    expect(rows[1]).toMatchObject({ status: 'running', count: 3, note: 'hi' });
    expect(Boolean(rows[1].flag)).toBe(true);
    expect(new Date(rows[1].created_at).toISOString()).toBe(at.toISOString());
  });

  it('is part of the caller transaction: a rollback leaves no row', async () => {
    await expect(
      sequelize.transaction(async (transaction) => {
        await insertRows(Row, [{ id: 'tx', name: 'rolled back', created_at: new Date() }], { transaction });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await Row.findByPk('tx')).toBeNull();
  });

  it('refuses to guess a computed default, and does nothing for no rows', async () => {
    await expect(insertRows(Stamped, [{ id: 'x' } as never])).rejects.toThrow(
      /Stamped\.at has a computed default/,
    );
    await insertRows(Stamped, [{ id: 'y', at: new Date() }]);
    await insertRows(Stamped, []);
    expect(await Stamped.count()).toBe(1);
  });
});
