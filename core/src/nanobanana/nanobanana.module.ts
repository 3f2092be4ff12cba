import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../config.js';
import type { DreamloomModels } from '../adapters/sequelize/models.js';
import { defineNanobananaModels, type NanobananaModels } from '../adapters/sequelize/nanobanana.models.js';
import { Fts5SearchIndex } from '../adapters/sequelize/nanobanana-fts5-search.repository.js';
import { PostingSearchIndex } from '../adapters/sequelize/nanobanana-posting-search.repository.js';
import { GeminiImageClient } from '../adapters/providers/gemini/gemini-image.client.js';
import { countProviderCalls, type ProviderMetrics } from '../shared/metrics/provider-metrics.js';
import type { AccountPoolService } from '../accounts/account-pool.service.js';
import { FanOutRunner } from '../generation/fan-out.runner.js';
import type { GenerationProcessor } from '../generation/generation.processor.js';
import type { MediaService } from '../media/media.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { ImageProvider } from '../ports/image-provider.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import { BaseUrlAllowlist } from '../shared/outbound/base-url-allowlist.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import { NanobananaService } from './nanobanana.service.js';
import { SearchTokenizer } from './search-text.js';

export interface NanobananaModule {
  models: NanobananaModels;
  /** The engine's fan-out runner (sub-jobs, caller credentials); the worker runs its items. */
  fanOut: FanOutRunner;
  service: NanobananaService;
  tokenizer: SearchTokenizer;
  /** FTS5 on SQLite, posting tables on MySQL/MariaDB. */
  searchIndex: NanobananaSearchIndex;
}

/** Wires contract 004 onto the engine; called once by createCore. */
export function createNanobananaModule(deps: {
  config: AppConfig;
  sequelize: Sequelize;
  models: DreamloomModels;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  storage: BlobStorage;
  secrets: SecretBox;
  pool: AccountPoolService;
  processor: GenerationProcessor;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  gemini?: ImageProvider;
  /** Caller-supplied apiBase calls go through it (connect-time address check). */
  outbound: OutboundPolicy;
  /** Counts Gemini calls by outcome (dreamloom_provider_calls_total). */
  providerMetrics: ProviderMetrics;
  /** Created and deleted tasks reach every node's caches (GenerationService.tasksChanged). */
  tasksChanged?: (taskIds: string[], owners?: string[]) => Promise<void>;
  /** History pages through every node's page cache (GenerationService.memberPage). */
  memberPage?: <Page>(
    owner: string,
    query: string,
    load: () => Promise<{ page: Page; taskIds: readonly string[] }>,
  ) => Promise<Page>;
}): NanobananaModule {
  const { config } = deps;
  const models = defineNanobananaModels(deps.sequelize);
  const gemini =
    deps.gemini ??
    new GeminiImageClient({
      defaultBaseUrl: config.GEMINI_BASE_URL,
      timeoutMs: config.GEMINI_TIMEOUT_MS,
      outbound: deps.outbound,
    });
  const fanOut = new FanOutRunner({
    models: { ...deps.models, ...models },
    queue: deps.queue,
    events: deps.events,
    media: deps.media,
    storage: deps.storage,
    secrets: deps.secrets,
    pool: deps.pool,
    providers: { gemini: countProviderCalls('gemini', gemini, deps.providerMetrics) },
    clock: deps.clock,
    logger: deps.logger,
    maxAttempts: config.GENERATION_MAX_ATTEMPTS,
  });
  deps.processor.delegate(fanOut);
  const tokenizer = new SearchTokenizer();
  const window = config.NANOBANANA_SEARCH_RELEVANCE_WINDOW;
  const searchIndex =
    deps.sequelize.getDialect() === 'sqlite'
      ? new Fts5SearchIndex(deps.sequelize, window)
      : new PostingSearchIndex(deps.sequelize, window);
  const service = new NanobananaService({
    sequelize: deps.sequelize,
    models: { ...deps.models, ...models },
    fanOut,
    storage: deps.storage,
    tokenizer,
    ids: deps.ids,
    clock: deps.clock,
    logger: deps.logger,
    taskConcurrency: config.NANOBANANA_TASK_CONCURRENCY,
    refImageMaxBytes: config.NANOBANANA_REF_IMAGE_MAX_BYTES,
    searchIndex,
    apiBases: new BaseUrlAllowlist([...config.NANOBANANA_API_BASE_ALLOWLIST, config.GEMINI_BASE_URL]),
    tasksChanged: deps.tasksChanged,
    memberPage: deps.memberPage,
  });
  return { models, fanOut, service, tokenizer, searchIndex };
}
