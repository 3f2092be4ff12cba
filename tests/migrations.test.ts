import { afterEach, describe, expect, it } from 'vitest';
import { createSequelize } from '@dreamloom/core';
import { createMigrator, migrateDownAll, migrateUp } from '@dreamloom/migrations';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

const EXPECTED_TABLES = [
  'access_tokens',
  'generation_tasks',
  'identities',
  'media_assets',
  'provider_accounts',
  'users',
];

describe.each(['sqlite', 'mariadb'] as const)('migrations on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('migrates an empty database up, is idempotent, and reverts cleanly', async () => {
    database = await createTestDatabase(kind);
    const sequelize = createSequelize(database.url);
    try {
      const applied = await migrateUp(sequelize);
      expect(applied).toContain('0001-foundation');
      const tables = (await sequelize.getQueryInterface().showAllTables()).map(String).sort();
      for (const table of EXPECTED_TABLES) expect(tables).toContain(table);
      expect(await migrateUp(sequelize)).toEqual([]);
      expect((await createMigrator(sequelize).pending()).length).toBe(0);

      // utf8mb4 round trip (Chinese prompts, emoji) on both engines.
      await sequelize.query(
        "INSERT INTO users (id, username, display_name, role, is_disabled, created_at, updated_at) VALUES ('1', 'u1', '画师🎨', 'user', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
      );
      const [rows] = await sequelize.query("SELECT display_name FROM users WHERE id = '1'");
      expect((rows as Array<{ display_name: string }>)[0].display_name).toBe('画师🎨');

      await migrateDownAll(sequelize);
      const after = (await sequelize.getQueryInterface().showAllTables()).map(String);
      for (const table of EXPECTED_TABLES) expect(after).not.toContain(table);
    } finally {
      await sequelize.close();
    }
  });
});
