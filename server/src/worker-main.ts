import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, startWorker } from '@dreamloom/core';
import { bootstrap } from './bootstrap.js';
import { startWorkerHealthServer } from './worker-health.js';

/** How long jobs handed back at the end of the grace get to unwind (abort, release, requeue). */
const HAND_BACK_MAX_MS = 5_000;

/** The worker process: BullMQ processors plus the reconciler. Run as many as you like. */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const { core } = await bootstrap(config, { ensureAdmin: false });
  // Probes first, so an orchestrator sees the process alive (not yet ready) while it starts.
  const probes =
    config.WORKER_HEALTH_PORT === undefined
      ? null
      : await startWorkerHealthServer(core, config.WORKER_HEALTH_PORT, config.HOST);
  if (probes) core.logger.info({ url: probes.url }, 'worker health port listening');
  await startWorker(core);
  probes?.markStarted();
  const shutdown = async () => {
    // Not ready any more while the jobs drain; still alive, so nothing kills the drain early.
    probes?.markDraining();
    // Stop taking jobs and let running ones finish, but not for ever: a Jimeng call may take
    // ten minutes, longer than any orchestrator waits before SIGKILL. What still runs at the end
    // of the grace is handed back: aborted, its slots freed, and queued again at once for
    // another worker (not left to wait for its lock to lapse); the drain below then completes.
    const grace = setTimeout(() => {
      const handedBack = core.queue.handBackActive();
      core.logger.warn(
        { graceMs: config.SHUTDOWN_GRACE_MS, handedBack },
        'jobs still running at the end of SHUTDOWN_GRACE_MS: handed back to the queue',
      );
      // A handler that ignores its signal must not hold the exit: its job returns once its lock lapses.
      setTimeout(() => process.exit(0), HAND_BACK_MAX_MS).unref();
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
