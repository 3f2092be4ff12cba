export { loadConfig, loadDeployConfig, ConfigError, type BotsConfig } from './config.js';
export {
  createDreamloomClient,
  DreamloomApiError,
  type CreateAnimeTaskInput,
  type CreateVideoTaskInput,
  type DreamloomClient,
  type DreamloomClientOptions,
  type MediaFile,
  type Platform,
  type PlatformUser,
  type TaskError,
  type TaskOutput,
  type TaskSnapshot,
  type TaskStatus,
  type TaskWatch,
} from './shared/dreamloom-client.js';
export { EditThrottler, type EditThrottlerOptions } from './shared/edit-throttler.js';
export {
  runImagine,
  runJob,
  toTaskError,
  type ImagineDeps,
  type ImagineOutcome,
  type ImagineRequest,
  type JobRequest,
  type JobCardSink,
  type JobImage,
} from './shared/imagine.handler.js';
export { refusalFor, HOW_TO_GET_CREDITS, type Refusal } from './shared/refusals.js';
export { renderJobCard, formatEta, progressBar, type JobCard, type JobCardField } from './shared/job-card.js';
export { applySnapshot, initialJobState, type JobPhase, type JobState } from './shared/job-state.js';
export { JobTracker } from './shared/job-tracker.js';
export { createConsoleLogger, silentLogger, type Logger } from './shared/logger.js';
export { createDiscordBot, type DiscordBot, type DiscordBotDeps } from './discord/create-discord-bot.js';
export { createImagineCommand, imagineCommandData } from './discord/commands/imagine.command.js';
export { createVideoCommand, videoCommandData } from './discord/commands/video.command.js';
export { runVideo, DEFAULT_VIDEO_MODEL, VIDEO_MODELS, type VideoRequest } from './shared/video.handler.js';
export { commandData, createCommands } from './discord/commands/index.js';
export type { CommandData, DiscordCommand } from './discord/discord-command.js';
export { DiscordJobCardSink, INTERACTION_TOKEN_BUDGET_MS } from './discord/discord-job-card.sink.js';
export { deployCommands, type DeployCommandsOptions } from './discord/deploy-commands.js';
export {
  createTelegramBot,
  telegramCommands,
  type BackgroundRunner,
  type TelegramBotDeps,
} from './telegram/create-telegram-bot.js';
export { TelegramJobCardSink } from './telegram/telegram-job-card.sink.js';
export {
  createStoryApi,
  type StoryApi,
  type StoryApiOptions,
  type StoryBinding,
  type StoryCharacter,
  type StoryMessage,
  type StorySummary,
} from './shared/story-client.js';
export {
  StoryHandler,
  type StorySurface,
  type CharacterMessage,
  type StorySession,
} from './shared/story.handler.js';
export {
  storyCommandData,
  createStoryCommand,
  type StoryThreadMessage,
} from './discord/commands/story.command.js';
export { WebhookDirectory, DiscordWebhookSurface, STORY_WEBHOOK_NAME } from './discord/story-webhooks.js';
export {
  createStoryFeature,
  TelegramStorySurface,
  characterText,
} from './telegram/features/story.feature.js';
