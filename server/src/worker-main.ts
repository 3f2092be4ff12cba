import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, startWorker } from '@dreamloom/core';
import { bootstrap } from './bootstrap.js';

/** The worker process: BullMQ processors plus the reconciler. Run as many as you like. */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const { core } = await bootstrap(config, { ensureAdmin: false });
  await startWorker(core);
  const shutdown = async () => {
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
