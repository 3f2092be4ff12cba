/**
 * The composition root, one per process: the only file in core that builds adapters (Sequelize and
 * its models and repositories, Redis, BullMQ, blob storage, provider clients, units of work) and
 * hands them to the engine and the family modules, which receive ports and never construct one.
 * It runs past 500 lines on purpose: every part is wired here once, in the order it depends on,
 * so one file shows what each family is given; split by family, the shared parts (engine, pool,
 * media, credits) would have to be built in one file and reached from the others.
 */
import { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { AppConfig } from './config.js';
import { createSequelize } from './adapters/sequelize/database.js';
import { defineModels, type DreamloomModels } from './adapters/sequelize/models.js';
import { BullmqJobQueue } from './adapters/bullmq/bullmq-job-queue.js';
import { RedisEventBus } from './adapters/redis/redis-event-bus.js';
import { RedisLeaseStore } from './adapters/redis/redis-lease-store.js';
import { RedisLossWatch } from './adapters/redis/redis-loss-watch.js';
import { RunningJobs } from './adapters/bullmq/running-jobs.js';
import { createBlobStorage } from './adapters/storage/create-blob-storage.js';
import { JimengGatewayClient } from './adapters/providers/jimeng/jimeng-gateway.client.js';
import { GeminiImageClient } from './adapters/providers/gemini/gemini-image.client.js';
import { KieClient } from './adapters/providers/kie/kie.client.js';
import { defineAnimeModels, type AnimeModels } from './adapters/sequelize/anime.models.js';
import { SequelizeCreditLedgerRepository } from './adapters/sequelize/credit-ledger.repository.js';
import { SequelizeAnimeTaskRepository } from './adapters/sequelize/anime-task.repository.js';
import { SequelizeAnimePromptRepository } from './adapters/sequelize/anime-prompt.repository.js';
import { SequelizeModelPriceRepository } from './adapters/sequelize/model-price.repository.js';
import { SequelizeMemberPlanRepository } from './adapters/sequelize/member-plan.repository.js';
import { defineNanobananaModels, type NanobananaModels } from './adapters/sequelize/nanobanana.models.js';
import { SequelizeNanobananaRepository } from './adapters/sequelize/nanobanana.repository.js';
import { sequelizeUnitOfWork } from './adapters/sequelize/unit-of-work.js';
import { SequelizeGenerationTaskRepository } from './adapters/sequelize/generation-task.repository.js';
import { SequelizeFanOutItemRepository } from './adapters/sequelize/fan-out-item.repository.js';
import { SequelizeProviderJobRepository } from './adapters/sequelize/provider-job.repository.js';
import { SequelizeTaskCredentialRepository } from './adapters/sequelize/task-credential.repository.js';
import { Fts5SearchIndex } from './adapters/sequelize/nanobanana-fts5-search.repository.js';
import { PostingSearchIndex } from './adapters/sequelize/nanobanana-posting-search.repository.js';
import { AccountPoolService } from './accounts/account-pool.service.js';
import { SequelizeAccountRepository } from './adapters/sequelize/account.repository.js';
import { ACCOUNTS_CHANGED, ACCOUNTS_ROOM } from './accounts/account-changes.js';
import { JimengAccountService } from './accounts/jimeng-account.service.js';
import { IdentityService } from './identity/identity.service.js';
import { SequelizeIdentityRepository } from './adapters/sequelize/identity.repository.js';
import { MediaService } from './media/media.service.js';
import { SequelizeMediaAssetRepository } from './adapters/sequelize/media-asset.repository.js';
import { GenerationService } from './generation/generation.service.js';
import { GenerationEngine } from './generation/engine/generation-engine.js';
import { JimengStrategy } from './generation/strategies/jimeng.strategy.js';
import { TaskReconciler } from './generation/task-reconciler.js';
import type { BlobStorage } from './ports/blob-storage.port.js';
import { systemClock, type Clock } from './ports/clock.port.js';
import type { EventBus } from './ports/event-bus.port.js';
import type { ImageProvider } from './ports/image-provider.port.js';
import type { JobQueue } from './ports/job-queue.port.js';
import type { LeaseStore } from './ports/lease-store.port.js';
import { createIdGenerator, type IdGenerator } from './shared/ids.js';
import { createLogger, type Logger } from './shared/logger.js';
import { SecretBox } from './shared/secret-box.js';
import { OutboundPolicy, type Resolver } from './shared/outbound/outbound-policy.js';
import { createJimengModule, type JimengModule } from './jimeng/jimeng.module.js';
import { defineJimengModels, type JimengModels } from './adapters/sequelize/jimeng.models.js';
import { SequelizeJimengRepository } from './adapters/sequelize/jimeng.repository.js';
import { createStory, type StoryCore } from './story/create-story.js';
import { defineStoryModels, type StoryModels } from './adapters/sequelize/story.models.js';
import { defineStoryChatBindingModel } from './adapters/sequelize/story-chat-binding.model.js';
import { sequelizeCatalogTables } from './adapters/sequelize/catalog-table.js';
import { sequelizeCharacterRepository } from './adapters/sequelize/character.repository.js';
import { sequelizeStoryRepository } from './adapters/sequelize/story.repository.js';
import { sequelizeStoryChatBindingRepository } from './adapters/sequelize/story-chat-binding.repository.js';
import { sequelizeConversationRepository } from './adapters/sequelize/conversation.repository.js';
import { sequelizeAiModelRepository } from './adapters/sequelize/ai-model.repository.js';
import { sequelizeMembershipRepository } from './adapters/sequelize/membership.repository.js';
import { sequelizePawSessionRepository } from './adapters/sequelize/paw-session.repository.js';
import { OpenAiChatProvider } from './adapters/providers/openai/openai-chat.provider.js';
import { RedisEphemeralStore } from './adapters/redis/redis-ephemeral-store.js';
import type { ChatProvider } from './ports/chat-provider.port.js';
import { createNanobananaModule, type NanobananaModule } from './nanobanana/nanobanana.module.js';
import { createAnimeModule, type AnimeModule } from './anime/anime.module.js';
import { createMetrics, type Metrics } from './shared/metrics/metrics.js';
import { countProviderCalls } from './shared/metrics/provider-metrics.js';
import { JOB_NAMES } from './job-names.js';
import { defineAuditLogModel } from './adapters/sequelize/audit-log.model.js';
import { SequelizeAuditStore } from './adapters/sequelize/audit-log.store.js';
import { AuditLog } from './audit/audit-log.js';
import { TraceService } from './trace/trace.service.js';
import { SequelizeTraceRepository } from './adapters/sequelize/trace.repository.js';
import { AlertService } from './alerts/alert.service.js';
import { SystemOverviewRepository } from './adapters/sequelize/system-overview.repository.js';
import { SystemOverviewService } from './statistics/system-overview.js';

/** Replaceable parts for tests: pass real adapters or fakes. */
export interface CoreOverrides {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  sequelize?: Sequelize;
  redis?: Redis;
  queue?: JobQueue;
  events?: EventBus;
  storage?: BlobStorage;
  leases?: LeaseStore;
  /** The Jimeng gateway for generations (pool upkeep keeps the real client). */
  jimeng?: ImageProvider;
  /** Contract 002's upstream LLM (the official openai SDK by default). */
  chatProvider?: ChatProvider;
  /** Gemini for contracts 000 and 004 (the @google/genai client at GEMINI_BASE_URL by default). */
  gemini?: ImageProvider;
  /** kie.ai for contract 001. */
  kie?: KieClient;
  /** How the outbound (SSRF) policy resolves host names; tests point names at private addresses. */
  outboundResolver?: Resolver;
}

export interface Core {
  config: AppConfig;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  sequelize: Sequelize;
  models: DreamloomModels;
  redis: Redis;
  queue: JobQueue;
  events: EventBus;
  storage: BlobStorage;
  secrets: SecretBox;
  /** Every request to a URL a caller or staff chose goes through it (SSRF). */
  outbound: OutboundPolicy;
  identity: IdentityService;
  /** The one log of staff actions (accounts, credits, prices, plans, deletes). */
  audit: AuditLog;
  /** Staff: any output, record, generation or image back to its task, accounts, cost, user and audit. */
  trace: TraceService;
  /** Staff: every generation family, chat, credits, errors and queues over a time window. */
  overview: SystemOverviewService;
  jimengAccounts: JimengAccountService;
  pool: AccountPoolService;
  media: MediaService;
  generation: GenerationService;
  /** The one generation engine: runs every task (strategies per provider), cancels, finished hooks. */
  engine: GenerationEngine;
  reconciler: TaskReconciler;
  /** Notices a Redis that lost its data; workers start it (startWorker) and reconcile at once. */
  redisLoss: RedisLossWatch;
  /** Contract 003 (Jimeng studio): storyboard records, batches, callbacks, pool upkeep (and its models, for tests). */
  jimeng: JimengModule & { models: JimengModels };
  /**
   * Contract 002 (story chat): AI models, catalogs, chat engine, wallet login, story images; with
   * its tables' models for tests and tools that look at rows directly (core itself uses the ports).
   */
  story: StoryCore & { models: StoryModels };
  /**
   * Contract 004 (NanoBanana) on the engine: its fan-out driver, use cases, search tokenizer, and
   * its tables (`models`: tests and the search benchmark read them directly).
   */
  nanobanana: NanobananaModule & { models: NanobananaModels };
  /**
   * Contracts 000/001 (anime images and videos) and the credits (MC) ledger, and their tables
   * (`models`, with the engine's provider jobs: tests read them directly).
   */
  anime: AnimeModule & { models: AnimeModels };
  /** This process's Prometheus registry and metrics (served as /metrics). */
  metrics: Metrics;
  /** Staff alerts to ALERT_WEBHOOK_URL; workers start them (startWorker), close() stops them. */
  alerts: AlertService;
  /** Checks that the database and Redis answer; used by health endpoints. */
  ping(): Promise<{ database: boolean; redis: boolean }>;
  close(): Promise<void>;
}

/** The composition root: one per process. No module-level singletons anywhere else. */
export function createCore(config: AppConfig, overrides: CoreOverrides = {}): Core {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? createIdGenerator();
  const sequelize =
    overrides.sequelize ??
    createSequelize(config.DATABASE_URL, {
      logging: config.DATABASE_LOGGING ? (sql) => logger.debug({ sql }, 'sql') : undefined,
    });
  const models = defineModels(sequelize);
  // BullMQ needs maxRetriesPerRequest null on its connections; sharing that setting is harmless elsewhere.
  const redis =
    overrides.redis ?? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
  const metrics = createMetrics();
  const queue =
    overrides.queue ??
    new BullmqJobQueue(redis, config.REDIS_PREFIX, logger, {
      timeJob: metrics.queues.timeJob,
      onStalled: metrics.queues.countStalled,
      lockDurationMs: config.QUEUE_LOCK_MS,
      stalledIntervalMs: config.QUEUE_STALLED_CHECK_MS,
      // Renewed as often as Redis is checked for a loss: re-written within a check of one.
      runningJobs: new RunningJobs(redis, config.REDIS_PREFIX, config.REDIS_LOSS_CHECK_MS),
    });
  metrics.queues.watchDepth(queue, JOB_NAMES);
  const events = overrides.events ?? new RedisEventBus(redis, config.REDIS_PREFIX, logger);
  const storage = overrides.storage ?? createBlobStorage(config);
  const leases = overrides.leases ?? new RedisLeaseStore(redis, config.REDIS_PREFIX);
  const secrets = new SecretBox(config.SECRET_KEY);
  const outbound = new OutboundPolicy({
    allowedHosts: [...config.OUTBOUND_ALLOWED_HOSTS, ...config.ANIME_REFERENCE_ALLOWED_HOSTS],
    resolver: overrides.outboundResolver,
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
    maxResponseBytes: config.MEDIA_MAX_BYTES,
  });
  const quota = { resetTime: config.QUOTA_RESET_TIME, timeZone: config.QUOTA_TIMEZONE };
  const audit = new AuditLog({ store: new SequelizeAuditStore(defineAuditLogModel(sequelize)), ids, clock });

  const identityRepository = new SequelizeIdentityRepository(sequelize, models);
  const identity = new IdentityService({
    users: identityRepository,
    ids,
    clock,
    tokenTtlHours: config.ACCESS_TOKEN_TTL_HOURS,
    botApiToken: config.BOT_API_TOKEN,
    events,
    logger,
  });
  const accounts = new SequelizeAccountRepository(models);
  const jimengAccounts = new JimengAccountService({
    accounts,
    ids,
    clock,
    secrets,
    leases,
    quota,
    audit,
    events,
  });
  const pool = new AccountPoolService({
    accounts,
    leases,
    secrets,
    ids,
    clock,
    logger,
    leaseTtlMs: config.LEASE_TTL_MS,
    defaultStrategy: config.ACCOUNT_STRATEGY,
    globalVideoConcurrency: config.VIDEO_CONCURRENCY_GLOBAL,
    videoConcurrencyPerAccount: config.VIDEO_CONCURRENCY_PER_ACCOUNT,
  });
  // Staff changes to accounts made on any node drop this node's cached eligible accounts at once.
  const accountChanges = events.subscribe((event) => {
    if (event.room === ACCOUNTS_ROOM && event.name === ACCOUNTS_CHANGED) pool.forgetEligible();
  });
  accountChanges.catch((error: unknown) =>
    logger.warn({ err: error }, 'account change notices unavailable; caches lapse within a second'),
  );
  const media = new MediaService({
    assets: new SequelizeMediaAssetRepository(models),
    storage,
    ids,
    clock,
    publicUrl: config.PUBLIC_URL,
    maxBytes: config.MEDIA_MAX_BYTES,
  });
  // One adapter for the task rows: the engine's port and GenerationService's.
  const taskRows = new SequelizeGenerationTaskRepository({ models, clock });
  const generation = new GenerationService({
    tasks: taskRows,
    queue,
    events,
    media,
    ids,
    clock,
    defaultImageModel: config.JIMENG_DEFAULT_MODEL,
    logger,
  });
  // Provider clients: built here only, once each, and counted by outcome (provider metrics).
  const jimengGateway = new JimengGatewayClient({
    baseUrl: config.JIMENG_BASE_URL,
    timeoutMs: config.JIMENG_TIMEOUT_MS,
  });
  const jimeng = countProviderCalls('jimeng', overrides.jimeng ?? jimengGateway, metrics.providers);
  const gemini = countProviderCalls(
    'gemini',
    overrides.gemini ??
      new GeminiImageClient({
        defaultBaseUrl: config.GEMINI_BASE_URL,
        timeoutMs: config.GEMINI_TIMEOUT_MS,
        // Only a 004 caller's own apiBase goes through it (connect-time address check).
        outbound,
      }),
    metrics.providers,
  );
  // kie.ai is asynchronous: its generation calls are the task creation and the status checks.
  const kie = countProviderCalls(
    'kie',
    overrides.kie ?? new KieClient({ baseUrl: config.KIE_BASE_URL, timeoutMs: config.KIE_TIMEOUT_MS }),
    metrics.providers,
    ['createTask', 'recordInfo'],
  );
  const animeModels = defineAnimeModels(sequelize);
  const nanobananaModels = defineNanobananaModels(sequelize);
  // 004 search: FTS5 on SQLite, posting tables on MySQL/MariaDB.
  const searchWindow = config.NANOBANANA_SEARCH_RELEVANCE_WINDOW;
  const nanobananaSearch =
    sequelize.getDialect() === 'sqlite'
      ? new Fts5SearchIndex(sequelize, searchWindow)
      : new PostingSearchIndex(sequelize, searchWindow);
  const engine = new GenerationEngine({
    tasks: taskRows,
    items: new SequelizeFanOutItemRepository(nanobananaModels),
    providerJobs: new SequelizeProviderJobRepository(animeModels),
    media,
    queue,
    events,
    leases,
    clock,
    logger,
    exclusiveTtlMs: config.LEASE_TTL_MS,
    fallback: new JimengStrategy({
      pool,
      clock,
      providers: { jimeng },
      maxAttempts: config.GENERATION_MAX_ATTEMPTS,
      leaseWaitMs: config.LEASE_WAIT_MS,
      rateLimitHandling: config.RATE_LIMIT_HANDLING,
    }),
  });
  const jimengModels = defineJimengModels(sequelize);
  const jimengModule = createJimengModule({
    config,
    studio: new SequelizeJimengRepository(sequelize, { ...models, ...jimengModels }),
    accounts,
    queue,
    events,
    media,
    generation,
    engine,
    pool,
    gateway: jimengGateway,
    secrets,
    clock,
    ids,
    logger,
    outbound,
    audit,
  });
  const nanobanana = createNanobananaModule({
    config,
    repository: new SequelizeNanobananaRepository({ ...models, ...nanobananaModels }),
    unitOfWork: sequelizeUnitOfWork(sequelize, { retryDeadlocks: { logger, label: 'nanobanana' } }),
    queue,
    events,
    media,
    storage,
    secrets,
    pool,
    engine,
    credentials: new SequelizeTaskCredentialRepository(nanobananaModels),
    searchIndex: nanobananaSearch,
    gemini,
    clock,
    ids,
    logger,
    outbound,
    tasksChanged: (taskIds, owners) => generation.tasksChanged(taskIds, owners),
    memberPage: (owner, query, load) => generation.memberPage(owner, query, load),
  });
  // Contract 002's adapters. The story store (rate-limit windows, login nonces) has its own Redis
  // connection: its checks sit before every story request and must not queue behind the event
  // bus's and the job queue's traffic on the shared one.
  const storyModels = defineStoryModels(sequelize);
  const bindingModel = defineStoryChatBindingModel(sequelize);
  const storyRedis = redis.duplicate();
  storyRedis.on('error', (error) => logger.warn({ err: error.message }, 'redis (story store) error'));
  const story = createStory({
    config,
    mediaAssets: new SequelizeMediaAssetRepository(models),
    users: identityRepository,
    characters: sequelizeCharacterRepository(storyModels),
    stories: sequelizeStoryRepository(storyModels),
    bindings: sequelizeStoryChatBindingRepository(bindingModel),
    conversations: sequelizeConversationRepository(storyModels),
    members: sequelizeMembershipRepository(storyModels, bindingModel),
    pawSessions: sequelizePawSessionRepository(storyModels),
    aiModels: sequelizeAiModelRepository(storyModels),
    catalogTables: sequelizeCatalogTables(storyModels),
    chatProvider:
      overrides.chatProvider ??
      new OpenAiChatProvider({
        baseUrl: config.LLM_BASE_URL,
        apiKey: config.LLM_API_KEY,
        timeoutMs: config.LLM_TIMEOUT_MS,
      }),
    store: new RedisEphemeralStore(storyRedis, config.REDIS_PREFIX),
    events,
    storage,
    secrets,
    identity,
    generation,
    ids,
    clock,
    logger,
    audit,
  });
  const anime = createAnimeModule({
    config,
    repositories: {
      ledger: new SequelizeCreditLedgerRepository(sequelize, { ...models, ...animeModels }),
      tasks: new SequelizeAnimeTaskRepository(models),
      prompts: new SequelizeAnimePromptRepository(sequelize, animeModels),
      prices: new SequelizeModelPriceRepository({ ...models, ...animeModels }),
      plans: new SequelizeMemberPlanRepository({ ...models, ...animeModels }),
    },
    // One unit each: on SQLite a unit queues its own transactions (the ledger's, as credits.service
    // queued them itself before the port; charged creates share it).
    unitsOfWork: {
      credits: sequelizeUnitOfWork(sequelize),
      prices: sequelizeUnitOfWork(sequelize),
      plans: sequelizeUnitOfWork(sequelize),
    },
    queue,
    events,
    media,
    generation,
    engine,
    kie,
    gemini,
    clock,
    ids,
    logger,
    storage,
    chatProvider: story.chatProvider,
    outbound,
    audit,
  });
  // Pool slots are read when scraped; credits are counted as each charge or refund commits.
  metrics.pool.watch(() => pool.slotUsage());
  anime.credits.onMoved((move, amount) =>
    (move === 'charge' ? metrics.credits.charged : metrics.credits.refunded).inc(amount),
  );
  const trace = new TraceService({
    reads: new SequelizeTraceRepository({ ...models, ...jimengModels, ...animeModels, ...nanobananaModels }),
    audit,
    media,
    secrets,
  });
  const overview = new SystemOverviewService({
    repository: new SystemOverviewRepository(sequelize),
    queue,
    queueNames: JOB_NAMES,
    clock,
    logger,
    defaultTimeZone: config.QUOTA_TIMEZONE,
  });
  const alerts = new AlertService({ config, accounts, redis, pool, engine, outbound, clock, logger });
  const reconciler = new TaskReconciler({
    generation,
    queue,
    clock,
    logger,
    graceMs: config.RECONCILE_GRACE_MS,
  });
  const redisLoss = new RedisLossWatch({
    redis,
    prefix: config.REDIS_PREFIX,
    intervalMs: config.REDIS_LOSS_CHECK_MS,
    logger,
  });

  return {
    config,
    logger,
    clock,
    ids,
    sequelize,
    models,
    redis,
    queue,
    events,
    storage,
    secrets,
    outbound,
    identity,
    audit,
    trace,
    overview,
    jimengAccounts,
    pool,
    media,
    generation,
    engine,
    reconciler,
    redisLoss,
    jimeng: { ...jimengModule, models: jimengModels },
    story: { ...story, models: storyModels },
    nanobanana: { ...nanobanana, models: nanobananaModels },
    anime: { ...anime, models: animeModels },
    metrics,
    alerts,
    async ping() {
      // Each dependency gets HEALTH_TIMEOUT_MS: a load balancer's probe must hear "down" in time,
      // not hang behind a paused Redis or a saturated database pool.
      const [database, redisOk] = await Promise.all([
        answersWithin(sequelize.authenticate(), config.HEALTH_TIMEOUT_MS),
        answersWithin(redis.ping(), config.HEALTH_TIMEOUT_MS, (answer) => answer === 'PONG'),
      ]);
      return { database, redis: redisOk };
    },
    async close() {
      const stopAccountChanges = await accountChanges.catch(() => undefined);
      await stopAccountChanges?.();
      reconciler.stop();
      await redisLoss.stop();
      await alerts.stop();
      story.stopRetention();
      await story.llm.flushUses();
      storyRedis.disconnect();
      await queue.close();
      await events.close();
      await sequelize.close();
      if (!overrides.redis) redis.disconnect();
    },
  };
}

/** True when `check` settles successfully (and `accept` agrees) within `ms`; false otherwise. */
function answersWithin<T>(check: Promise<T>, ms: number, accept: (value: T) => boolean = () => true) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([check.then(accept, () => false), late]).finally(() => clearTimeout(timer));
}
