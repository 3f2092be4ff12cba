export * from './config.js';
export * from './errors.js';
export * from './create-core.js';
export * from './worker.js';
export * from './job-names.js';
export * from './identity/actor.js';
export { IdentityService, PLATFORMS, type Platform, type IssuedToken } from './identity/identity.service.js';
export * from './accounts/jimeng-account.types.js';
export { JimengAccountService } from './accounts/jimeng-account.service.js';
export { AccountPoolService, type AccountLease } from './accounts/account-pool.service.js';
export { cooldownMs } from './accounts/account-health-reports.js';
export * from './generation/generation.types.js';
export * from './generation/generation.errors.js';
export * from './generation/generation-failures.js';
export {
  GenerationService,
  type TaskView,
  type CreateImageTaskInput,
} from './generation/generation.service.js';
export { MediaService, sniffMime, type MediaAssetView } from './media/media.service.js';
export {
  ImageRejectedError,
  MAX_INPUT_PIXELS,
  sanitizeImage,
  type SanitizedImage,
} from './media/image-sanitizer.js';
export { JimengGatewayClient } from './adapters/providers/jimeng/jimeng-gateway.client.js';
export {
  classifyJimengError,
  classifyJimengHttpStatus,
  matchJimengWording,
} from './adapters/providers/jimeng/jimeng-errors.js';
export {
  JIMENG_ERROR_WORDINGS,
  type JimengErrorWording,
} from './adapters/providers/jimeng/jimeng-error-wordings.js';
// The package's exports: besides core's ports and use cases, the few adapters the server's bootstrap
// (startup lock), tests and benchmarks open on their own (a database connection, the MySQL search index).
export { createSequelize, dialectOf } from './adapters/sequelize/database.js';
export { withStartupLock } from './adapters/sequelize/startup-lock.js';
export * from './ports/image-provider.port.js';
export type { EventBus, DomainEvent } from './ports/event-bus.port.js';
export type { JobQueue } from './ports/job-queue.port.js';
export type { BlobStorage, ByteRange } from './ports/blob-storage.port.js';
export { LocalBlobStorage } from './adapters/storage/local-blob-storage.js';
export { S3BlobStorage } from './adapters/storage/s3-blob-storage.js';
export { createBlobStorage } from './adapters/storage/create-blob-storage.js';
export { parseS3Location, type S3Location } from './adapters/storage/s3-location.js';
export type { Clock } from './ports/clock.port.js';
export { createLogger, type Logger } from './shared/logger.js';
export { SecretBox, maskSecret } from './shared/secret-box.js';
export { createIdGenerator, type IdGenerator } from './shared/ids.js';
export { SharedTick } from './shared/shared-tick.js';
export { createMetrics, type Metrics } from './shared/metrics/metrics.js';
export { UNMATCHED_ROUTE, statusClass } from './shared/metrics/http-metrics.js';
export { METRICS_PATH, isMetricsRequest, serveMetrics } from './shared/metrics/metrics-endpoint.js';
export {
  OutboundPolicy,
  systemResolver,
  type OutboundPolicyOptions,
  type OutboundRequestInit,
  type Resolver,
  type ResolvedAddress,
} from './shared/outbound/outbound-policy.js';
export { OutboundNetworkError, OutboundRefusedError } from './shared/outbound/outbound-errors.js';
export { classifyAddress, isBlockedAddress, type AddressVerdict } from './shared/outbound/address-ranges.js';
export { BaseUrlAllowlist } from './shared/outbound/base-url-allowlist.js';
export { nextQuotaReset, formatZoned } from './shared/zoned-time.js';
export * from './generation/fan-out.types.js';
export { GenerationEngine } from './generation/engine/generation-engine.js';
export type {
  SyncStrategy,
  FanOutStrategy,
  AsyncStrategy,
  GenerationStrategy,
} from './generation/engine/strategy.js';
export type { GenerationTaskRecord } from './generation/engine/repositories.js';
export * from './nanobanana/nanobanana.types.js';
export * from './nanobanana/nanobanana.errors.js';
export { contractStatus, imageDto } from './nanobanana/nanobanana-dto.js';
export type { NanobananaModule } from './nanobanana/nanobanana.module.js';
export { SearchTokenizer, searchText } from './nanobanana/search-text.js';
export { PostingSearchIndex } from './adapters/sequelize/nanobanana-posting-search.repository.js';
export {
  GeminiImageClient,
  encodeGeminiCredential,
} from './adapters/providers/gemini/gemini-image.client.js';
export type { StoryCore } from './story/create-story.js';
export { ConversationService } from './story/conversation.service.js';
export { StoryReplyService, type TurnListener } from './story/story-reply.service.js';
export { messageView, type ChatMessageView } from './story/chat-message.view.js';
export { roomOf } from './story/conversation.store.js';
export * from './story/speaker-selector.js';
export { buildCharacterPrompt, type HistoryLine } from './story/prompt-builder.js';
export { readCharacterCard, type ImportedCharacterCard } from './story/character-card.js';
export { storySettingSchema, parseSetting, type StorySetting } from './story/story-setting.js';
export { WalletAuthService, type WalletLogin } from './story/wallet-auth.service.js';
export { MUSIC_UPLOAD_MAX_BYTES, StoryMediaService, type T2iTaskView } from './story/story-media.service.js';
export { ImageUrlRefusedError, assertMessageImagesAllowed } from './story/message-images.js';
export { CatalogService, views as catalogViews } from './story/catalog/catalog.service.js';
export {
  CatalogCrud,
  Catalogs,
  pageWindow,
  type CatalogListQuery,
  type Page,
} from './story/catalog/catalog-crud.js';
export {
  defineCatalog,
  type AnyCatalogDescriptor,
  type CatalogDescriptor,
  type CatalogOperation,
} from './story/catalog/catalog-descriptor.js';
export * from './story/catalog/catalogs/index.js';
export {
  LlmService,
  InvalidModelError,
  LlmUpstreamError,
  MODEL_TYPES,
  aiModelView,
  type AiModelView,
} from './story/llm/llm.service.js';
export * from './ports/chat-provider.port.js';
export type { EphemeralStore } from './ports/ephemeral-store.port.js';
export { OpenAiChatProvider } from './adapters/providers/openai/openai-chat.provider.js';
export {
  RecordStatus,
  BATCH_TYPES,
  PRIORITY_LEVELS,
  BatchEvents,
  batchRoom,
  BATCH_LIST_ROOM,
  batchListRoomFor,
  batchListRoomsOf,
  BatchListEvents,
  CALLBACK_JOB,
  type BatchType,
  type BatchStatus,
  type BatchGlobalConfig,
  type BatchItemInput,
  type CreateBatchInput as CreateJimengBatchInput,
} from './jimeng/jimeng.types.js';
export type { JimengModule } from './jimeng/jimeng.module.js';
export type { BatchSummary, BatchItemView } from './jimeng/batch-views.service.js';
export type { RecordView } from './jimeng/jimeng-record.service.js';
export { signCallback } from './jimeng/batch-callback.service.js';
export { MAINTENANCE_JOB } from './accounts/account-maintenance.service.js';
export { ACCOUNT_STRATEGIES, RATE_LIMIT_HANDLING } from './accounts/account-pool.types.js';
export { IDENTITY_ROOM, IDENTITY_CHANGED, type IdentityChange } from './identity/identity-changes.js';
export { TASKS_ROOM, TASKS_CHANGED } from './generation/task-changes.js';
export type { AnimeModule } from './anime/anime.module.js';
export { MEMBER_PLANS, type MemberPlan } from './anime/member-plans.service.js';
export type { VideoTaskRequest } from './anime/anime.types.js';
export {
  AnimeVideoService,
  ModelNotFoundError,
  type VideoRequestInput,
  type VideoQuote,
} from './anime/anime-video.service.js';
export { DEFAULT_VIDEO_MODELS, loadVideoModels, type VideoModelConfig } from './anime/video-models.js';
export { signKieCallback, verifyKieSignature } from './anime/kie-signature.js';
export { kieVideoInput } from './generation/strategies/kie-video.strategy.js';
export {
  CreditsService,
  InsufficientCreditsError,
  type BalanceView,
  type LedgerEntryView,
} from './credits/credits.service.js';
export {
  KieClient,
  kieFailureKind,
  kiePollDelay,
  parseKieRecord,
  type KieTaskRecord,
} from './adapters/providers/kie/kie.client.js';
export { monitoredQueues } from './adapters/bullmq/monitored-queues.js';
export {
  SystemOverviewService,
  type SystemOverview,
  type FamilyFigures,
} from './statistics/system-overview.js';
export {
  OVERVIEW_RANGES,
  MAX_WINDOW_DAYS,
  isTimeZone,
  type OverviewRange,
} from './statistics/overview-window.js';
export { GENERATION_FAMILIES, type GenerationFamily } from './statistics/generation-families.js';
