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
    // Stop taking jobs and let running ones finish, but not for ever: a Jimeng call may take
    // ten minutes, longer than any orchestrator waits before SIGKILL. What still runs at the end
    // of the grace goes back to the queue when its lock lapses, and another worker takes it.
    const grace = setTimeout(() => {
      core.logger.warn(
        { graceMs: config.SHUTDOWN_GRACE_MS },
        'jobs still running at the end of SHUTDOWN_GRACE_MS; exiting, they will be picked up again',
      );
      process.exit(0);
    }, config.SHUTDOWN_GRACE_MS);
    await core.close();
    clearTimeout(grace);
    core.logger.info('worker drained');
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
