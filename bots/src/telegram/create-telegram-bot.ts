import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, BotError, GrammyError, HttpError, type BotConfig, type Context } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { DreamloomApiError, type DreamloomClient } from '../shared/dreamloom-client.js';
import { refusalFor } from '../shared/refusals.js';
import { PlaceEditBudget, type EditClock } from '../shared/place-edit-budget.js';
import { JobTracker } from '../shared/job-tracker.js';
import { ChatActivity } from '../shared/chat-activity.js';
import { RecentJobDurations } from '../shared/recent-job-durations.js';
import type { Logger } from '../shared/logger.js';
import { createHelpFeature, helpCommands } from './features/help.feature.js';
import { createImagineFeature, imagineCommand } from './features/imagine.feature.js';
import { createStoryFeature, storyCommand } from './features/story.feature.js';
import { createVideoFeature, videoCommand } from './features/video.feature.js';
import { createJobActionsFeature } from './features/job-actions.feature.js';
import type { ImagineDeps } from '../shared/imagine.handler.js';
import { createCreditsFeature, creditsCommands } from './features/credits.feature.js';
import { createShowFeature, showCommand } from './features/show.feature.js';
import type { StoryHandler } from '../shared/story.handler.js';
import { VideoCatalogue } from '../shared/video-catalogue.js';

/** Starts work that outlives the update; its errors reach the bot's error boundary. */
export type BackgroundRunner = (ctx: Context, job: () => Promise<unknown>) => void;

export interface TelegramBotDeps {
  dreamloom: DreamloomClient;
  logger: Logger;
  /**
   * Minimum time between two job card messages or edits in one chat, shared by every card there
   * (Telegram allows about 20 messages a minute in a group: 3200 ms leaves room for jitter).
   */
  editIntervalMs: number;
  /** The edit budget's clock (tests replace flood waits of minutes with an instant one). */
  editClock?: EditClock;
  /** Where running jobs are tracked; pass one to wait for them (shutdown, tests). */
  jobs?: JobTracker;
  /** See {@link ImagineDeps.jobTimeoutMs}. */
  jobTimeoutMs?: number;
  /** Minimum time between two chat actions in one chat. Default 4000 ms (Telegram shows one ~5 s). */
  chatActionIntervalMs?: number;
  /** How often running cards refresh their elapsed time (and chat actions are sent). Default 5 s. */
  cardTickMs?: number;
  /** Story play (`/story`, and talking to the characters while a story runs). */
  story?: StoryHandler;
}

/** The command menu shown by Telegram clients; registered with setMyCommands at start. */
export const telegramCommands: BotCommand[] = [
  imagineCommand,
  videoCommand,
  storyCommand,
  ...creditsCommands,
  showCommand,
  ...helpCommands,
];

/**
 * Builds the grammY bot: features as Composers, automatic retry of rate-limited calls,
 * one error boundary. `config` passes through to grammY (tests set `botInfo` and
 * `client.apiRoot`). Does not start polling.
 */
export function createTelegramBot(token: string, deps: TelegramBotDeps, config?: BotConfig<Context>): Bot {
  const bot = new Bot(token, config);
  // 429s carry retry_after; waiting and retrying beats dropping a card edit. Bounded so a
  // long flood wait does not park a job forever.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const jobs = deps.jobs ?? new JobTracker();
  const handleError = async (error: BotError<Context>) => {
    const { ctx } = error;
    const cause = error.error;
    deps.logger.error('Telegram update failed', {
      updateId: ctx.update.update_id,
      error: cause instanceof GrammyError ? `${cause.method}: ${cause.description}` : cause,
    });
    // A failed send to this chat (blocked, kicked) would fail again; only answer otherwise.
    if (cause instanceof GrammyError || cause instanceof HttpError || !ctx.chat) return;
    const text =
      cause instanceof DreamloomApiError
        ? `❌ ${refusalFor(cause).message}`
        : 'Sorry, something went wrong. Please try again later.';
    const messageId = ctx.msg?.message_id;
    await ctx
      .reply(
        text,
        messageId ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } } : {},
      )
      .catch(() => undefined);
  };
  bot.catch(handleError);

  const runInBackground: BackgroundRunner = (ctx, job) =>
    jobs.track(job().catch((err: unknown) => handleError(new BotError(err, ctx))));

  const edits = new PlaceEditBudget({
    intervalMs: deps.editIntervalMs,
    clock: deps.editClock,
    // auto-retry waits out retry_after up to 60 s; longer waits come back as the 429 itself.
    floodWaitMs: telegramFloodWaitMs,
    onError: (error) => deps.logger.warn('Job card update failed', { error }),
  });
  const jobDeps: ImagineDeps = {
    dreamloom: deps.dreamloom,
    logger: deps.logger,
    editIntervalMs: deps.editIntervalMs,
    edits,
    jobTimeoutMs: deps.jobTimeoutMs,
    durations: new RecentJobDurations(),
    // Chat actions are not messages, so they do not take turns with card edits; one per chat
    // every few seconds however many jobs run there, and none during a flood wait.
    activity: new ChatActivity({
      intervalMs: deps.chatActionIntervalMs ?? 4000,
      isSilenced: (place) => edits.isSilenced(place),
      onError: (error) => deps.logger.warn('Chat action failed', { error }),
    }),
    tickMs: deps.cardTickMs,
  };
  // One catalogue of the server's video models for /help and /video (read once a minute at most).
  const catalogue = new VideoCatalogue(deps.dreamloom);
  bot.use(createHelpFeature({ dreamloom: deps.dreamloom, catalogue }));
  bot.use(createJobActionsFeature({ imagine: jobDeps, runInBackground }));
  bot.use(
    createImagineFeature({
      imagine: jobDeps,
      runInBackground,
    }),
  );
  bot.use(
    createVideoFeature({
      imagine: jobDeps,
      runInBackground,
      catalogue,
    }),
  );
  bot.use(createCreditsFeature({ dreamloom: deps.dreamloom }));
  bot.use(createShowFeature({ imagine: jobDeps, runInBackground }));
  if (deps.story) bot.use(createStoryFeature({ handler: deps.story, runInBackground }));
  return bot;
}

/** Telegram's flood answer: 429 with `retry_after` seconds; the budget stays silent that long. */
export function telegramFloodWaitMs(error: unknown): number | undefined {
  if (!(error instanceof GrammyError) || error.error_code !== 429) return undefined;
  return (error.parameters.retry_after ?? 1) * 1000;
}
