import { createCore, type AppConfig, type Core, type CoreOverrides } from '@dreamloom/core';
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
    const migrationsApplied = await migrateUp(core.sequelize);
    // Only one process should create the first admin; workers pass ensureAdmin: false.
    const admin =
      options.ensureAdmin === false
        ? null
        : await core.identity.ensureAdmin(config.ADMIN_USERNAME, config.ADMIN_PASSWORD);
    const demo = options.seedDemo ? await seedDemoData(core) : undefined;
    return { core, migrationsApplied, admin, demo };
  } catch (error) {
    await core.close();
    throw error;
  }
}
