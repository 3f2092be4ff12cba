import type { AppConfig } from '../config.js';
import type { JimengGatewayClient } from '../adapters/providers/jimeng/jimeng-gateway.client.js';
import { AccountMaintenanceService } from '../accounts/account-maintenance.service.js';
import type { AccountPoolService } from '../accounts/account-pool.service.js';
import type { AccountRepository } from '../accounts/account.repository.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { GenerationService } from '../generation/generation.service.js';
import type { MediaService } from '../media/media.service.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { AuditLog } from '../audit/audit-log.js';
import { JimengRecordService } from './jimeng-record.service.js';
import { BatchViewService } from './batch-views.service.js';
import { BatchSubmissionService } from './batch-submission.service.js';
import { BatchRerunService } from './batch-rerun.service.js';
import { JimengProgressListener } from './jimeng-progress.listener.js';
import { BatchCallbackService } from './batch-callback.service.js';
import type { JimengRepository } from './jimeng.repository.js';

export interface JimengModule {
  records: JimengRecordService;
  /** Batch summaries, status and list (§10.1), also published to the batch rooms. */
  batches: BatchViewService;
  /** Submitting a batch (§9). */
  batchSubmissions: BatchSubmissionService;
  /** Retry, cancel and regenerate (§10.2, §10.3, §6.2). */
  batchReruns: BatchRerunService;
  callbacks: BatchCallbackService;
  maintenance: AccountMaintenanceService;
}

interface Deps {
  config: AppConfig;
  /** Records, batches and callback deliveries (createCore builds the Sequelize adapter). */
  studio: JimengRepository;
  /** Provider accounts (pool upkeep reads and writes them). */
  accounts: AccountRepository;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  generation: GenerationService;
  engine: GenerationEngine;
  secrets: SecretBox;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** createCore's Jimeng gateway client: pool upkeep reads credits and checks sessions with it. */
  gateway: JimengGatewayClient;
  /** When given, an account found out of points has its credits read at once. */
  pool?: AccountPoolService;
  /** callback_url and compose input_images are checked, and callbacks delivered, under it (SSRF). */
  outbound: OutboundPolicy;
  audit: AuditLog;
}

/** Contract 003's studio features on the engine: records, batches, callbacks and pool upkeep. */
export function createJimengModule(deps: Deps): JimengModule {
  const { config } = deps;
  const { studio } = deps;
  const timeZone = config.QUOTA_TIMEZONE;
  const records = new JimengRecordService({
    studio,
    media: deps.media,
    clock: deps.clock,
    timeZone,
    audit: deps.audit,
  });
  const batches = new BatchViewService({
    studio,
    clock: deps.clock,
    events: deps.events,
    records,
    timeZone,
  });
  const batchSubmissions = new BatchSubmissionService({
    studio,
    ids: deps.ids,
    clock: deps.clock,
    generation: deps.generation,
    engine: deps.engine,
    records,
    views: batches,
    limits: { image: config.BATCH_MAX_IMAGE_ITEMS, video: config.BATCH_MAX_VIDEO_ITEMS },
    defaultImageModel: config.JIMENG_DEFAULT_MODEL,
    outbound: deps.outbound,
  });
  const batchReruns = new BatchRerunService({
    studio,
    ids: deps.ids,
    clock: deps.clock,
    generation: deps.generation,
    engine: deps.engine,
    records,
    views: batches,
  });
  new JimengProgressListener({
    studio,
    batches,
    records,
    queue: deps.queue,
    clock: deps.clock,
    logger: deps.logger,
    callbackAttempts: config.CALLBACK_MAX_ATTEMPTS,
  }).register(deps.engine);
  const callbacks = new BatchCallbackService({
    studio,
    records,
    ids: deps.ids,
    clock: deps.clock,
    logger: deps.logger,
    signingSecret: config.CALLBACK_SIGNING_SECRET ?? `callback:${config.SECRET_KEY}`,
    timeZone,
    outbound: deps.outbound,
  });
  const maintenance = new AccountMaintenanceService({
    accounts: deps.accounts,
    gateway: deps.gateway,
    secrets: deps.secrets,
    clock: deps.clock,
    logger: deps.logger,
    quota: { resetTime: config.QUOTA_RESET_TIME, timeZone },
    creditsRefreshMs: config.CREDITS_REFRESH_INTERVAL_MS,
  });
  deps.pool?.onOutOfCredits((accountId) => {
    void maintenance
      .refreshCredits(accountId)
      .catch((error: unknown) =>
        deps.logger.warn(
          { accountId, err: (error as Error).message },
          'credit read after running out failed',
        ),
      );
  });
  return { records, batches, batchSubmissions, batchReruns, callbacks, maintenance };
}
