import type { Logger } from '../shared/logger.js';
import type { Alert } from './alert.types.js';
import { formatAlert, type AlertFormat } from './alert-formats.js';

export interface AlertDeliveryOptions {
  /** The webhook; for Telegram it carries the bot token, so it is never logged (only its host). */
  url: string;
  format: AlertFormat;
  telegramChatId?: string;
  /** The outbound policy's fetch: the URL is staff configuration and goes through the SSRF checks. */
  fetch: (url: string, init: RequestInit & { timeoutMs?: number }) => Promise<Response>;
  /** A failed delivery is tried once more after this long. */
  retryMs: number;
  timeoutMs?: number;
  logger: Logger;
}

/**
 * Posts alerts to the staff webhook. Never throws and never makes its caller wait for the
 * receiver: a slow or broken receiver must not slow or fail a generation. A failed delivery is
 * logged and tried once more later; a second failure is logged and dropped.
 */
export class AlertDelivery {
  private readonly host: string;
  private readonly retries = new Set<NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: AlertDeliveryOptions) {
    this.host = new URL(options.url).host;
  }

  /** Starts delivering `alert` (first try now, one retry on failure) and returns at once. */
  send(alert: Alert): void {
    this.attempt(alert, 1);
  }

  private attempt(alert: Alert, attempt: 1 | 2): void {
    if (this.stopping.signal.aborted) return;
    const run = this.post(alert).then((failure) => {
      if (!failure) return;
      const log = { host: this.host, condition: alert.condition, attempt, failure };
      if (attempt === 2 || this.stopping.signal.aborted) {
        this.options.logger.warn(log, 'staff alert could not be delivered; dropped');
        return;
      }
      this.options.logger.warn(log, 'staff alert could not be delivered; retrying once later');
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        this.attempt(alert, 2);
      }, this.options.retryMs);
      timer.unref();
      this.retries.add(timer);
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Resolves with why the delivery failed, or undefined once the receiver accepted it. */
  private async post(alert: Alert): Promise<string | undefined> {
    try {
      const body = formatAlert(this.options.format, alert, { telegramChatId: this.options.telegramChatId });
      const response = await this.options.fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: this.stopping.signal,
        timeoutMs: this.options.timeoutMs,
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      // Outbound errors name the origin at most, never the path where a Telegram token lives.
      return error instanceof Error
        ? `${error.name}: ${error.message.replaceAll(this.options.url, this.host)}`
        : 'failed';
    }
  }

  /** Cancels pending retries and requests (the process is stopping). */
  async stop(): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
