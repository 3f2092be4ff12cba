import type { AppConfig } from '../config.js';
import type { AccountPoolService } from '../accounts/account-pool.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { FanOutSubmission } from '../generation/engine/fan-out-runs.js';
import type { TaskCredentialRepository } from '../generation/engine/repositories.js';
import { NanobananaFanOutStrategy } from '../generation/strategies/nanobanana-fan-out.strategy.js';
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
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { NanobananaRepository } from './nanobanana.repository.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import { NanobananaImages } from './nanobanana-images.js';
import { NanobananaSubmitService } from './nanobanana-submit.service.js';
import { NanobananaTaskQueries } from './nanobanana-task-queries.js';
import { NanobananaTaskRemoval } from './nanobanana-task-removal.js';
import { SearchTokenizer } from './search-text.js';

export interface NanobananaModule {
  /** Submitting a task to the engine's fan-out (positions, a caller's sealed credential). */
  fanOut: FanOutSubmission;
  /** Creating batches (validation, reference images, the task's rows, the engine's fan-out). */
  submit: NanobananaSubmitService;
  /** One task, history pages and search. */
  tasks: NanobananaTaskQueries;
  /** Deleting tasks. */
  removal: NanobananaTaskRemoval;
  /** Finding, deleting and exporting the tasks' images. */
  images: NanobananaImages;
  tokenizer: SearchTokenizer;
  /** FTS5 on SQLite, posting tables on MySQL/MariaDB. */
  searchIndex: NanobananaSearchIndex;
}

/** Wires contract 004 onto the engine (its fan-out strategy); called once by createCore. */
export function createNanobananaModule(deps: {
  config: AppConfig;
  /** 004's tasks, views and images (createCore builds the Sequelize adapter). */
  repository: NanobananaRepository;
  /**
   * 004's own unit of work (its SQLite write queue; MySQL deadlocks retried): submit and removal
   * share it, as the one NanobananaService they were split from did.
   */
  unitOfWork: UnitOfWork;
  /** Callers' sealed Gemini keys, kept while their task runs. */
  credentials: TaskCredentialRepository;
  /** 004 search text (createCore picks FTS5 or posting tables by dialect). */
  searchIndex: NanobananaSearchIndex;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  storage: BlobStorage;
  secrets: SecretBox;
  pool: AccountPoolService;
  engine: GenerationEngine;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Gemini (createCore's client, counted; a caller's apiBase goes through the outbound policy). */
  gemini: ImageProvider;
  outbound: OutboundPolicy;
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
  const strategy = new NanobananaFanOutStrategy({
    providers: { gemini: deps.gemini },
    credentials: deps.credentials,
    storage: deps.storage,
    secrets: deps.secrets,
    pool: deps.pool,
    clock: deps.clock,
    maxAttempts: config.GENERATION_MAX_ATTEMPTS,
  });
  deps.engine.use(strategy);
  const fanOut: FanOutSubmission = {
    storeCredential: (taskId, credential, transaction) =>
      strategy.storeCredential(taskId, credential, transaction),
    createItems: (taskId, count, transaction) => deps.engine.fanOut.createItems(taskId, count, transaction),
    submit: (task) => deps.engine.fanOut.submit(task),
  };
  const tokenizer = new SearchTokenizer();
  const { repository, unitOfWork, searchIndex, storage, logger, tasksChanged } = deps;
  const removal = new NanobananaTaskRemoval({
    repository,
    searchIndex,
    unitOfWork,
    storage,
    logger,
    tasksChanged,
  });
  const submit = new NanobananaSubmitService({
    repository,
    unitOfWork,
    fanOut,
    removal,
    storage,
    tokenizer,
    searchIndex,
    ids: deps.ids,
    clock: deps.clock,
    logger,
    taskConcurrency: config.NANOBANANA_TASK_CONCURRENCY,
    refImageMaxBytes: config.NANOBANANA_REF_IMAGE_MAX_BYTES,
    apiBases: new BaseUrlAllowlist([...config.NANOBANANA_API_BASE_ALLOWLIST, config.GEMINI_BASE_URL]),
    tasksChanged,
  });
  const tasks = new NanobananaTaskQueries({
    repository,
    searchIndex,
    tokenizer,
    memberPage: deps.memberPage,
  });
  const images = new NanobananaImages({ repository, storage, logger, tasksChanged });
  return { fanOut, submit, tasks, removal, images, tokenizer, searchIndex };
}
