/**
 * The launcher's one-time database preparation (migrations, first admin, demo data), run as a
 * short-lived child of the launcher (start.ts). It loads the whole core (Sequelize, providers, queues)
 * only to exit again, so the long-lived launcher never holds it: the launcher stays a small
 * supervisor for as long as the system runs.
 *
 * Reports to the launcher over the IPC channel: `{ admin, demo }` once the database is ready.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '@dreamloom/core';
import { bootstrap } from '@dreamloom/server';

/** What the launcher prints when everything is up. */
export interface BootstrapReport {
  admin: { username: string; password?: string } | null;
  demo: { username: string; password: string } | null;
}

async function main() {
  if (!process.send)
    throw new Error('bootstrap-database runs as a child of the launcher (start.ts), over IPC');
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  // Under the start-up lock, so a server or worker started elsewhere never races these migrations.
  const { core, admin, demo } = await bootstrap(config, { seedDemo: true });
  await core.close();
  const report: BootstrapReport = {
    admin: admin ? { username: admin.username, password: admin.password } : null,
    demo: demo?.demoUser ?? null,
  };
  // Exit only once the message is handed over: the launcher reads it before it sees the exit.
  process.send(report, () => process.exit(0));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
