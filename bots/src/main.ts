import { ConfigError, loadConfig, type BotsConfig } from './config.js';
import { createConsoleLogger } from './shared/logger.js';
import { startBots, type RunningBots } from './start-bots.js';

async function main(): Promise<void> {
  const logger = createConsoleLogger('bots');
  let config: BotsConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (!config.discord && !config.telegram) {
    logger.info('No bot token configured (DISCORD_TOKEN, TELEGRAM_BOT_TOKEN); nothing to start.');
    return;
  }
  logger.info('Starting bots', {
    api: config.apiUrl,
    discord: Boolean(config.discord),
    telegram: Boolean(config.telegram),
  });
  let bots: RunningBots;
  try {
    bots = await startBots(config, logger);
  } catch (err) {
    // Typically a rejected platform token; say so plainly rather than with a stack only.
    logger.error('Could not start the bots', { error: err });
    process.exit(1);
  }
  const shutdown = () => {
    void bots.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
