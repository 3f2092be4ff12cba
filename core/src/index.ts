export * from './config.js';
export * from './errors.js';
export * from './create-core.js';
export * from './worker.js';
export * from './identity/actor.js';
export { IdentityService, PLATFORMS, type Platform, type IssuedToken } from './identity/identity.service.js';
export * from './accounts/jimeng-account.types.js';
export { JimengAccountService } from './accounts/jimeng-account.service.js';
export { AccountPoolService, cooldownMs, type AccountLease } from './accounts/account-pool.service.js';
export * from './generation/generation.types.js';
export * from './generation/generation.errors.js';
export {
  GenerationService,
  type TaskView,
  type CreateImageTaskInput,
} from './generation/generation.service.js';
export { MediaService, sniffMime, type MediaAssetView } from './media/media.service.js';
export { JimengGatewayClient } from './adapters/providers/jimeng/jimeng-gateway.client.js';
export { classifyJimengError } from './adapters/providers/jimeng/jimeng-errors.js';
export { createSequelize, dialectOf } from './adapters/sequelize/database.js';
export * from './ports/image-provider.port.js';
export type { EventBus, DomainEvent } from './ports/event-bus.port.js';
export type { JobQueue } from './ports/job-queue.port.js';
export type { BlobStorage } from './ports/blob-storage.port.js';
export type { Clock } from './ports/clock.port.js';
export { createLogger, type Logger } from './shared/logger.js';
export { SecretBox, maskSecret } from './shared/secret-box.js';
export { createIdGenerator, type IdGenerator } from './shared/ids.js';
export { nextQuotaReset, formatZoned } from './shared/zoned-time.js';
