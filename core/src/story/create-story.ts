import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../config.js';
import type { DreamloomModels } from '../adapters/sequelize/models.js';
import { defineStoryModels, type StoryModels } from '../adapters/sequelize/story.models.js';
import { OpenAiChatProvider } from '../adapters/providers/openai/openai-chat.provider.js';
import { RedisEphemeralStore } from '../adapters/redis/redis-ephemeral-store.js';
import type { ChatProvider } from '../ports/chat-provider.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EphemeralStore } from '../ports/ephemeral-store.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { IdentityService } from '../identity/identity.service.js';
import type { GenerationService } from '../generation/generation.service.js';
import { LlmService } from '../llm/llm.service.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { Catalogs } from '../catalog/catalog-crud.js';
import { sequelizeCatalogTables } from '../adapters/sequelize/catalog-table.js';
import { StoryChatService } from './story-chat.service.js';
import { WalletAuthService } from './wallet-auth.service.js';
import { StoryMediaService } from './story-media.service.js';
import { StoryChatBindingService } from './story-chat-binding.service.js';
import { StoryIntroWriter } from './story-intro.writer.js';
import type { AuditLog } from '../audit/audit-log.js';
import { defineStoryChatBindingModel } from '../adapters/sequelize/story-chat-binding.model.js';

/** Contract 002's part of the core: one object so the composition root grows by one line. */
export interface StoryCore {
  models: StoryModels;
  chatProvider: ChatProvider;
  store: EphemeralStore;
  llm: LlmService;
  /** Characters and stories (their access rules are their own). */
  catalog: CatalogService;
  /** The declared catalogs' use cases: `catalogs.of(languages).list(...)` (catalog/catalogs/). */
  catalogs: Catalogs;
  /** Writes published stories' intros, at publish time or in the background later. */
  intro: StoryIntroWriter;
  chat: StoryChatService;
  wallet: WalletAuthService;
  media: StoryMediaService;
  /** Which conversation a Discord thread or Telegram chat plays (the bots keep no sessions). */
  bindings: StoryChatBindingService;
  /** Starts the hourly cleanup of conversations older than STORY_HISTORY_RETENTION_DAYS (worker). */
  startRetention(intervalMs?: number): void;
  stopRetention(): void;
  /** Closes the story's own Redis connection. */
  close(): void;
}

export interface StoryDeps {
  config: AppConfig;
  sequelize: Sequelize;
  models: DreamloomModels;
  redis: Redis;
  events: EventBus;
  storage: BlobStorage;
  secrets: SecretBox;
  identity: IdentityService;
  generation: GenerationService;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  chatProvider?: ChatProvider;
  store?: EphemeralStore;
  audit: AuditLog;
}

export function createStory(deps: StoryDeps): StoryCore {
  const { config } = deps;
  const models = defineStoryModels(deps.sequelize);
  const chatProvider =
    deps.chatProvider ??
    new OpenAiChatProvider({
      baseUrl: config.LLM_BASE_URL,
      apiKey: config.LLM_API_KEY,
      timeoutMs: config.LLM_TIMEOUT_MS,
    });
  // Its own connection: rate-limit checks sit before every story request and must not queue
  // behind the event bus's and the job queue's traffic on the shared one.
  const storeRedis = deps.store ? null : deps.redis.duplicate();
  storeRedis?.on('error', (error) => deps.logger.warn({ err: error.message }, 'redis (story store) error'));
  const store = deps.store ?? new RedisEphemeralStore(storeRedis!, config.REDIS_PREFIX);
  const llm = new LlmService({
    models,
    provider: chatProvider,
    secrets: deps.secrets,
    clock: deps.clock,
    logger: deps.logger,
  });
  const intro = new StoryIntroWriter({ models, llm, logger: deps.logger });
  const catalog = new CatalogService({
    models,
    users: deps.models,
    ids: deps.ids,
    clock: deps.clock,
    intro,
    audit: deps.audit,
  });
  const catalogs = new Catalogs({
    tables: sequelizeCatalogTables(models),
    ids: deps.ids,
    clock: deps.clock,
    secrets: deps.secrets,
    audit: deps.audit,
  });
  const bindingModel = defineStoryChatBindingModel(deps.sequelize);
  const chat = new StoryChatService({
    models,
    bindings: bindingModel,
    llm,
    events: deps.events,
    ids: deps.ids,
    clock: deps.clock,
    logger: deps.logger,
  });
  const wallet = new WalletAuthService({
    models,
    identity: deps.identity,
    store,
    secrets: deps.secrets,
    clock: deps.clock,
    tokenTtlHours: config.STORY_TOKEN_TTL_HOURS,
  });
  const media = new StoryMediaService({
    models,
    core: deps.models,
    storage: deps.storage,
    generation: deps.generation,
    llm,
    ids: deps.ids,
    clock: deps.clock,
    publicUrl: config.PUBLIC_URL,
    maxUploadBytes: config.STORY_UPLOAD_MAX_BYTES,
  });
  const bindings = new StoryChatBindingService({
    models,
    bindings: bindingModel,
    chat,
    ids: deps.ids,
    clock: deps.clock,
  });
  return {
    models,
    chatProvider,
    store,
    llm,
    catalog,
    catalogs,
    intro,
    chat,
    wallet,
    media,
    bindings,
    startRetention(intervalMs = 3_600_000) {
      chat.retention.start(config.STORY_HISTORY_RETENTION_DAYS, intervalMs);
    },
    stopRetention() {
      chat.retention.stop();
    },
    close() {
      storeRedis?.disconnect();
    },
  };
}
