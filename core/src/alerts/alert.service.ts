import type { Redis } from 'ioredis';
import type { AppConfig } from '../config.js';
import type { AccountRepository } from '../accounts/account.repository.js';
import type { AccountHealthEvent, AccountPoolService } from '../accounts/account-pool.service.js';
import type { GenerationEngine } from '../generation/engine/generation-engine.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../shared/logger.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { Alert } from './alert.types.js';
import { AlertDedup } from './alert-dedup.js';
import { AlertDelivery } from './alert-delivery.js';
import { accountHealthAlert } from './account-health-alerts.js';
import { poolCapacityAlert, WATCHED_KINDS } from './pool-capacity-alerts.js';
import { FailureRateWindow } from './failure-rate-window.js';

/** The provider whose accounts the pool leases (contract 003's Jimeng). */
const POOL_PROVIDER = 'jimeng';

interface Deps {
  config: AppConfig;
  /** Names the account an alert is about. */
  accounts: Pick<AccountRepository, 'label'>;
  redis: Redis;
  pool: AccountPoolService;
  engine: Pick<GenerationEngine, 'onFinished'>;
  outbound: OutboundPolicy;
  clock: Clock;
  logger: Logger;
}

/**
 * Staff alerts: watches the account pool's health events, its capacity and the generations'
 * failure rate in this process, and notifies ALERT_WEBHOOK_URL once per condition per
 * ALERT_DEDUP_MS across all nodes. Started by workers only: they are the processes that call
 * providers and see these events. Nothing here ever throws into, or waits inside, a generation.
 */
export class AlertService {
  private running = false;
  private delivery: AlertDelivery | null = null;
  private poolTimer: NodeJS.Timeout | null = null;
  private readonly dedup: AlertDedup;
  private readonly failures: FailureRateWindow;

  constructor(private readonly deps: Deps) {
    const { config } = deps;
    this.dedup = new AlertDedup(deps.redis, config.REDIS_PREFIX, config.ALERT_DEDUP_MS);
    this.failures = new FailureRateWindow({
      rate: config.ALERT_FAILURE_RATE,
      minJobs: config.ALERT_FAILURE_MIN_JOBS,
      windowMs: config.ALERT_WINDOW_MS,
    });
    // Registered once; they stay silent until start() and after stop().
    deps.pool.onAccountHealth((event) => this.onAccountHealth(event));
    deps.engine.onFinished(async (task) => {
      if (!this.running || (task.status !== 'completed' && task.status !== 'failed')) return;
      const alert = this.failures.record(task.status === 'failed', deps.clock.now());
      if (alert) this.raise(alert);
    });
  }

  /** Starts alerting when ALERT_WEBHOOK_URL is set; otherwise does nothing. */
  start(): void {
    const { config, logger } = this.deps;
    if (this.running || !config.ALERT_WEBHOOK_URL) return;
    if (config.ALERT_WEBHOOK_FORMAT === 'telegram' && !config.ALERT_TELEGRAM_CHAT_ID) {
      logger.warn('ALERT_WEBHOOK_FORMAT=telegram needs ALERT_TELEGRAM_CHAT_ID; staff alerts are off');
      return;
    }
    this.delivery = new AlertDelivery({
      url: config.ALERT_WEBHOOK_URL,
      format: config.ALERT_WEBHOOK_FORMAT,
      telegramChatId: config.ALERT_TELEGRAM_CHAT_ID,
      fetch: this.deps.outbound.fetch,
      retryMs: config.ALERT_RETRY_MS,
      logger,
    });
    this.running = true;
    if (config.ALERT_POOL_FREE_BELOW > 0) {
      this.poolTimer = setInterval(() => void this.checkPool(), config.ALERT_POOL_CHECK_MS);
      this.poolTimer.unref();
    }
    logger.info(
      { host: new URL(config.ALERT_WEBHOOK_URL).host, format: config.ALERT_WEBHOOK_FORMAT },
      'staff alerts on',
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.poolTimer) clearInterval(this.poolTimer);
    this.poolTimer = null;
    await this.delivery?.stop();
  }

  private onAccountHealth(event: AccountHealthEvent): void {
    if (!this.running) return;
    const options = { cooldownLevel: this.deps.config.ALERT_COOLDOWN_LEVEL, now: this.deps.clock.now() };
    if (!accountHealthAlert(event, null, options)) return;
    void this.deps.accounts
      .label(event.accountId)
      .then((account) => account && { name: account.name, provider: account.provider })
      .catch(() => null)
      .then((account) => {
        const alert = accountHealthAlert(event, account, options);
        if (alert) this.raise(alert);
      });
  }

  private async checkPool(): Promise<void> {
    for (const kind of WATCHED_KINDS) {
      try {
        const capacity = await this.deps.pool.capacity(POOL_PROVIDER, kind);
        const alert = poolCapacityAlert(kind, capacity, {
          below: this.deps.config.ALERT_POOL_FREE_BELOW,
          now: this.deps.clock.now(),
        });
        if (alert) this.raise(alert);
      } catch (error) {
        this.deps.logger.warn({ err: error, kind }, 'pool capacity for staff alerts could not be read');
      }
    }
  }

  /** Sends `alert` unless its condition was already reported within the dedup window. */
  private raise(alert: Alert): void {
    void this.dedup.claim(alert.condition).then((first) => {
      if (first && this.running) this.delivery?.send(alert);
    });
  }
}
