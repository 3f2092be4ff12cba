import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Core } from '@dreamloom/core';
import { bootstrap } from '@dreamloom/server';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * An operator starting several processes at once on an empty database (two servers and two
 * workers, each with its own data folder as separate machines would have): every process must
 * come up, the schema must be migrated once, and exactly one first admin (and one set of demo
 * data) must exist. Without the start-up lock 3 of 4 exited with `Duplicate key name`.
 */
describe.each(['sqlite', 'mariadb'] as const)('four processes starting at once on %s', (db) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('all come up; migrations run once; one admin and one set of demo data', async () => {
    const database: TestDatabase = await createTestDatabase(db);
    cleanups.push(() => database.drop());
    const prefix = `dlcold-${randomBytes(4).toString('hex')}`;
    const secret = randomBytes(32).toString('hex');
    const configs = Array.from({ length: 4 }, () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'dreamloom-cold-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: prefix,
        DATA_DIR: dataDir,
        SECRET_KEY: secret,
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: 'cold-start-password',
      });
    });

    // Servers ensure the admin and seed; workers do neither (as server/src/worker-main.ts).
    const started = await Promise.allSettled(
      configs.map((config, index) =>
        bootstrap(config, index % 2 === 0 ? { seedDemo: true } : { ensureAdmin: false }),
      ),
    );
    const cores: Core[] = [];
    for (const result of started) if (result.status === 'fulfilled') cores.push(result.value.core);
    cleanups.push(async () => {
      for (const core of cores) await core.close();
    });
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
    ]);

    const core = cores[0]!;
    const [migrations] = (await core.sequelize.query('SELECT name FROM schema_migrations')) as [
      Array<{ name: string }>,
      unknown,
    ];
    const names = migrations.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
    const applied = started.flatMap((result) =>
      result.status === 'fulfilled' ? result.value.migrationsApplied : [],
    );
    // Each migration was applied by exactly one process.
    expect(applied.sort()).toEqual([...names].sort());
    expect(await core.models.User.count({ where: { role: 'admin' } })).toBe(1);
    const admins = started.flatMap((result) =>
      result.status === 'fulfilled' && result.value.admin?.created ? [result.value.admin] : [],
    );
    expect(admins).toHaveLength(1);
    // The demo pool is seeded once, not once per server.
    expect(await core.models.ProviderAccount.count({ where: { provider: 'jimeng' } })).toBe(3);
  }, 120_000);
});
