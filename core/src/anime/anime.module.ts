import type { AppConfig } from '../config.js';
import type { KieClient } from '../adapters/providers/kie/kie.client.js';
import type { CreditLedgerRepository } from '../credits/credit-ledger.repository.js';
import { CreditsService } from '../credits/credits.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import { GeminiImageStrategy } from '../generation/strategies/gemini-image.strategy.js';
import { KieVideoStrategy } from '../generation/strategies/kie-video.strategy.js';
import type { GenerationService } from '../generation/generation.service.js';
import type { MediaService } from '../media/media.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { ChatProvider } from '../ports/chat-provider.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import type { Logger } from '../shared/logger.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';
import type { AnimePromptRepository } from './anime-prompt.repository.js';
import type { ModelPriceRepository } from './model-price.repository.js';
import type { MemberPlanRepository } from './member-plan.repository.js';
import { AnimeVideoService } from './anime-video.service.js';
import { AnimeImageService } from './anime-image.service.js';
import { AnimePromptService } from './anime-prompt.service.js';
import { ReferenceFetcher } from './reference-fetcher.js';
import { OwnMediaReader } from './own-media.reader.js';
import { AnimeJobActionsService } from './anime-job-actions.service.js';
import type { ImageProvider } from '../ports/image-provider.port.js';
import { loadVideoModels } from './video-models.js';
import { JobLimitsService } from './job-limits.service.js';
import { ModelPricesService } from './model-prices.service.js';
import { MemberPlansService } from './member-plans.service.js';
import { AnimeCancelService } from './anime-cancel.service.js';

/** Contract 000 takes up to four reference images (the route's schema says the same). */
const MAX_REFERENCE_IMAGES = 4;

/** Where contracts 000/001 and the credits keep their rows (built by createCore). */
export interface AnimeRepositories {
  ledger: CreditLedgerRepository;
  tasks: AnimeTaskRepository;
  prompts: AnimePromptRepository;
  prices: ModelPriceRepository;
  plans: MemberPlanRepository;
}

/**
 * One unit of work per consumer (on SQLite each queues its own transactions): the ledger's, which
 * the charged creates share, the price edits' and the plan changes'.
 */
export interface AnimeUnitsOfWork {
  credits: UnitOfWork;
  prices: UnitOfWork;
  plans: UnitOfWork;
}

export interface AnimeModule {
  credits: CreditsService;
  video: AnimeVideoService;
  image: AnimeImageService;
  prompts: AnimePromptService;
  /** Per-member limits on generations in flight (and the optional daily quota). */
  limits: JobLimitsService;
  /** Image and video price rules (configured defaults, staff edits with an audit trail). */
  prices: ModelPricesService;
  /** Staff setting a member's plan (free/pro), with an audit trail. */
  plans: MemberPlansService;
  /** A member cancelling their own generation (final for kie tasks too). */
  cancels: AnimeCancelService;
  /** Job card actions (reroll, variation, upscale) on a member's own generations. */
  actions: AnimeJobActionsService;
  /** Reads references to Dreamloom's own media from storage, with the member's access check. */
  ownMedia: OwnMediaReader;
  /** createCore's kie.ai client (counted). */
  kie: Pick<KieClient, 'createTask' | 'recordInfo'>;
}

/** Wires contracts 000/001 and the credits ledger onto the engine; called once by createCore. */
export function createAnimeModule(deps: {
  config: AppConfig;
  repositories: AnimeRepositories;
  unitsOfWork: AnimeUnitsOfWork;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  generation: GenerationService;
  engine: GenerationEngine;
  /** kie.ai (createCore's client): contract 001's videos. */
  kie: Pick<KieClient, 'createTask' | 'recordInfo'>;
  /** Gemini (createCore's client): contract 000's images on Gemini models. */
  gemini: ImageProvider;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  storage: BlobStorage;
  chatProvider: ChatProvider;
  /** The outbound (SSRF) policy every reference URL and video frame goes through. */
  outbound: OutboundPolicy;
  audit: AuditLog;
}): AnimeModule {
  const { config, repositories, unitsOfWork } = deps;
  const credits = new CreditsService({
    ledger: repositories.ledger,
    unitOfWork: unitsOfWork.credits,
    ids: deps.ids,
    clock: deps.clock,
    audit: deps.audit,
    tasksChanged: (taskIds) => deps.generation.tasksChanged(taskIds),
  });
  // Contract 001: kie.ai videos, asynchronous (create upstream, then the webhook or delayed checks).
  deps.engine.use(
    new KieVideoStrategy({
      client: deps.kie,
      clock: deps.clock,
      apiKey: config.KIE_API_KEY,
      callbackUrl: `${config.PUBLIC_URL.replace(/\/$/, '')}/api/generation/webhook?provider=kie`,
      webhookKey: config.KIE_WEBHOOK_KEY,
      pollInitialMs: config.KIE_POLL_INITIAL_MS,
      pollMaxMs: config.KIE_POLL_MAX_MS,
      pollTimeoutMs: config.KIE_POLL_TIMEOUT_MS,
    }),
  );
  // A failed or cancelled generation gives its charge back; the refund's key makes repeats no-ops.
  deps.engine.onFinished(async (task) => {
    if (task.status !== 'failed' && task.status !== 'cancelled') return;
    await credits.refundTask(
      task.id,
      task.status === 'cancelled' ? 'Generation cancelled' : 'Generation failed',
    );
  });
  const ownMedia = new OwnMediaReader({
    tasks: repositories.tasks,
    storage: deps.storage,
    generation: deps.generation,
    publicUrl: config.PUBLIC_URL,
    maxBytes: config.ANIME_REFERENCE_MAX_BYTES,
  });
  const limits = new JobLimitsService({
    tasks: repositories.tasks,
    plans: repositories.plans,
    credits,
    clock: deps.clock,
    options: {
      maxInFlight: config.ANIME_MAX_JOBS_IN_FLIGHT,
      proMaxInFlight: config.ANIME_PRO_MAX_JOBS_IN_FLIGHT,
      dailyQuota: config.ANIME_DAILY_GENERATION_QUOTA,
    },
  });
  const videoModels = loadVideoModels(config.ANIME_VIDEO_MODELS);
  const prices = new ModelPricesService({
    prices: repositories.prices,
    unitOfWork: unitsOfWork.prices,
    ids: deps.ids,
    clock: deps.clock,
    imageModels: () => [config.JIMENG_DEFAULT_MODEL, ...config.ANIME_GEMINI_MODELS],
    videoModels,
    defaultCreditsPerImage: config.ANIME_IMAGE_CREDITS_PER_IMAGE,
    audit: deps.audit,
  });
  const cancels = new AnimeCancelService({ tasks: repositories.tasks, engine: deps.engine });
  // Member creates check the limits, create the task and charge in one of the ledger's transactions.
  const charged = {
    unitOfWork: unitsOfWork.credits,
    tasks: repositories.tasks,
    generation: deps.generation,
    credits,
    limits,
  };
  const video = new AnimeVideoService({
    ...charged,
    promptRepository: repositories.prompts,
    ids: deps.ids,
    videoModels,
    prices,
    ownMedia,
    outbound: deps.outbound,
  });
  const prompts = new AnimePromptService({
    prompts: repositories.prompts,
    chat: deps.chatProvider,
    llmModel: config.ANIME_LLM_MODEL,
    ids: deps.ids,
    clock: deps.clock,
  });
  const image = new AnimeImageService({
    ...charged,
    promptRepository: repositories.prompts,
    prompts,
    fetcher: new ReferenceFetcher({
      maxBytes: config.ANIME_REFERENCE_MAX_BYTES,
      timeoutMs: config.ANIME_REFERENCE_TIMEOUT_MS,
      // Trusts OUTBOUND_ALLOWED_HOSTS and its older alias ANIME_REFERENCE_ALLOWED_HOSTS.
      policy: deps.outbound,
    }),
    ownMedia,
    media: deps.media,
    storage: deps.storage,
    queue: deps.queue,
    ids: deps.ids,
    defaultModel: config.JIMENG_DEFAULT_MODEL,
    geminiModels: config.ANIME_GEMINI_MODELS,
    prices,
    maxReferenceImages: MAX_REFERENCE_IMAGES,
  });
  // Contract 000 on Gemini models: synchronous, the configured key.
  deps.engine.use(
    new GeminiImageStrategy({
      gemini: deps.gemini,
      storage: deps.storage,
      clock: deps.clock,
      apiKey: config.ANIME_GEMINI_API_KEY,
      maxAttempts: config.GENERATION_MAX_ATTEMPTS,
    }),
  );
  const actions = new AnimeJobActionsService({
    tasks: repositories.tasks,
    image,
    video,
    media: deps.media,
    maxReferenceImages: MAX_REFERENCE_IMAGES,
  });
  return {
    credits,
    video,
    image,
    prompts,
    limits,
    prices,
    plans: new MemberPlansService({
      plans: repositories.plans,
      unitOfWork: unitsOfWork.plans,
      ids: deps.ids,
      clock: deps.clock,
      audit: deps.audit,
      events: deps.events,
    }),
    cancels,
    actions,
    ownMedia,
    kie: deps.kie,
  };
}
