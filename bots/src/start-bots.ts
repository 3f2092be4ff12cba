import type { BotsConfig } from './config.js';
import { createDiscordBot, type DiscordBot } from './discord/create-discord-bot.js';
import { createDreamloomClient } from './shared/dreamloom-client.js';
import { createStoryApi } from './shared/story-client.js';
import { StoryHandler } from './shared/story.handler.js';
import { JobTracker } from './shared/job-tracker.js';
import { createConsoleLogger, type Logger } from './shared/logger.js';
import { createTelegramBot } from './telegram/create-telegram-bot.js';
import { registerTelegramCommandMenus } from './telegram/command-menus.js';
import { startBotsHealthServer } from './health-server.js';

/** How long shutdown waits for running jobs to post their last card before leaving them. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningBots {
  stop(): Promise<void>;
}

/** The composition root: one Dreamloom client shared by whichever bots have tokens. */
export async function startBots(config: BotsConfig, logger: Logger): Promise<RunningBots> {
  const dreamloom = createDreamloomClient({
    baseUrl: config.apiUrl,
    botToken: config.botApiToken,
    logger: createConsoleLogger('dreamloom-client'),
  });
  const jobs = new JobTracker();
  const stops: Array<() => Promise<void>> = [];
  const storyApi = createStoryApi({ baseUrl: config.apiUrl, botToken: config.botApiToken });
  // Probes first: an orchestrator sees the process alive while the platforms log in.
  const health = config.health
    ? await startBotsHealthServer({ ...config.health, jobsRunning: () => jobs.size })
    : null;
  if (health) logger.info('Bots health port listening', { url: health.url });

  if (config.discord) {
    const discord: DiscordBot = createDiscordBot({
      dreamloom,
      logger: createConsoleLogger('discord'),
      editIntervalMs: config.discord.editIntervalMs,
      jobs,
      story: new StoryHandler({
        api: storyApi,
        logger: createConsoleLogger('discord-story'),
        editIntervalMs: config.discord.editIntervalMs,
      }),
    });
    await discord.start(config.discord.token);
    stops.push(() => discord.stop());
  }

  if (config.telegram) {
    const telegramLogger = createConsoleLogger('telegram');
    const telegram = createTelegramBot(
      config.telegram.token,
      {
        dreamloom,
        logger: telegramLogger,
        editIntervalMs: config.telegram.editIntervalMs,
        jobs,
        story: new StoryHandler({
          api: storyApi,
          logger: telegramLogger,
          editIntervalMs: config.telegram.editIntervalMs,
        }),
      },
      // A self-hosted telegram-bot-api server (large files, local mode) when configured.
      config.telegram.apiRoot ? { client: { apiRoot: config.telegram.apiRoot } } : undefined,
    );
    await telegram.init();
    await registerTelegramCommandMenus(telegram.api);
    // start() resolves only when polling stops, so it is not awaited here.
    void telegram
      .start({
        drop_pending_updates: false,
        onStart: (me) => telegramLogger.info('Telegram bot polling', { username: me.username }),
      })
      .catch((err: unknown) => {
        telegramLogger.error('Telegram polling stopped', { error: err });
        process.exitCode = 1;
      });
    stops.push(() => telegram.stop());
  }

  return {
    async stop() {
      logger.info('Stopping bots');
      // Stop taking new commands first, then give running jobs a moment to finish their cards.
      await Promise.allSettled(stops.map((stop) => stop()));
      await Promise.race([jobs.idle(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
      await dreamloom.close();
      await health?.close();
    },
  };
}
