// Test doubles for the bots, shared with the cross-package tests in /tests.
export {
  FakeDreamloomClient,
  FAKE_VIDEO_MODELS,
  type FakeDreamloomClientOptions,
  type ScriptedSnapshot,
} from './fake-dreamloom-client.js';
export {
  startFakeDreamloomServer,
  type FakeDreamloomServer,
  type FakeStatus,
  type RecordedApiRequest,
} from './fake-dreamloom-server.js';
export {
  startFakeDiscordRest,
  type DiscordRestCall,
  type DiscordUpload,
  type FakeDiscordErrorAnswer,
  type FakeDiscordMessage,
  type FakeDiscordRest,
  type FakeChannelWebhook,
  type FakeThread,
  type FakeWebhookMessage,
} from './fake-discord-rest.js';
export {
  startFakeTelegramBotApi,
  textMessageUpdate,
  photoMessageUpdate,
  callbackQueryUpdate,
  type FakeTelegramBotApi,
  type TelegramApiCall,
  type TelegramApiFailure,
  type TelegramGroupLimit,
  type TelegramUpload,
} from './fake-telegram-bot-api.js';
export {
  chatInputInteraction,
  autocompleteInteraction,
  buttonInteraction,
  dispatchInteraction,
  prepareOfflineClient,
  createOfflineDiscordBot,
  type ChatInputOptions,
  type ButtonPressOptions,
} from './discord-interactions.js';
export { parseMultipart, type MultipartPart } from './http.js';
export { isPng, PNG_SIGNATURE, pngBomb, pngChunk, solidPng } from './png.js';
export { FakeStoryApi, type FakeStoryApiOptions, type FakeStoryReply } from './fake-story-api.js';
