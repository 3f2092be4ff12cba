import { createCore, withStartupLock, type AppConfig, type Core, type CoreOverrides } from '@dreamloom/core';
import { migrateUp, seedDemoData } from '@dreamloom/migrations';

export interface BootstrapResult {
  core: Core;
  migrationsApplied: string[];
  admin: { username: string; password?: string; created: boolean } | null;
  demo?: Awaited<ReturnType<typeof seedDemoData>>;
}

/**
 * Opens the core, applies pending migrations and makes sure the first admin exists. Every
 * process (server, worker, tests) boots through here so the schema is never behind the code.
 */
export async function bootstrap(
  config: AppConfig,
  options: { overrides?: CoreOverrides; seedDemo?: boolean; ensureAdmin?: boolean } = {},
): Promise<BootstrapResult> {
  const core = createCore(config, options.overrides);
  try {
    // Under one lock per database, so processes started together migrate and seed once.
    return await withStartupLock(core.sequelize, async () => {
      const migrationsApplied = await migrateUp(core.sequelize);
      // Session fingerprints need SECRET_KEY, so accounts stored before migration 0012 get theirs here.
      const sessions = await core.jimengAccounts.backfillSessionHashes();
      if (sessions.filled)
        core.logger.info({ accounts: sessions.filled }, 'jimeng session fingerprints added');
      for (const duplicate of sessions.duplicates)
        core.logger.warn(
          duplicate,
          'two live Jimeng accounts share one session id: delete one (it stays unprotected until then)',
        );
      // Workers pass ensureAdmin: false; servers find the first one's admin once it holds the lock.
      const admin =
        options.ensureAdmin === false
          ? null
          : await core.identity.ensureAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
      const demo = options.seedDemo ? await seedDemoData(core) : undefined;
      return { core, migrationsApplied, admin, demo };
    });
  } catch (error) {
    await core.close();
    throw error;
  }
}
