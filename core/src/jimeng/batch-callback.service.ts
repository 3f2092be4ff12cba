import { createHmac } from 'node:crypto';
import type { JimengRepository } from './jimeng.repository.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import { formatZoned } from '../shared/zoned-time.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import type { JimengRecordService } from './jimeng-record.service.js';
import { RecordStatus } from './jimeng.types.js';

interface Deps {
  /** Batches, records and delivery attempts (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  records: JimengRecordService;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  signingSecret: string;
  timeZone: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Delivers through the outbound (SSRF) policy: connect-time address check, redirects not followed. */
  outbound?: OutboundPolicy;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers recompute it and reject stale timestamps. */
export function signCallback(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Contract 003 §12: POSTs `batch_completed` to the batch's callback_url, signed, and records every
 * attempt. A non-2xx answer or a network error throws, so the queue retries with backoff.
 */
export class BatchCallbackService {
  constructor(private readonly deps: Deps) {}

  async payload(batchId: string) {
    const batch = await this.deps.studio.batchById(batchId);
    if (!batch) return null;
    const records = await this.deps.studio.batchRecords(batchId, { ordered: 'create_time' });
    const views = await this.deps.records.views(records);
    const success = views.filter((view) => view.generation_status === RecordStatus.completed).length;
    return {
      batch,
      body: {
        event: 'batch_completed',
        batch_id: batch.id,
        project_id: batch.project_id,
        work_id: batch.work_id,
        summary: {
          total: views.length,
          success,
          failed: views.length - success,
          success_rate: views.length ? Math.round((success / views.length) * 1000) / 1000 : 0,
        },
        results: views.map((view) => ({
          storyboard_id: view.storyboard_id,
          status: view.generation_status === RecordStatus.completed ? 'success' : 'failed',
          urls: view.image_urls ?? view.video_urls ?? [],
          error: view.error_message,
        })),
        timestamp: formatZoned(batch.finish_time ?? this.deps.clock.now(), this.deps.timeZone),
      },
    };
  }

  async deliver(batchId: string, attempt: number): Promise<void> {
    const built = await this.payload(batchId);
    if (!built?.batch.callback_url) return;
    const body = JSON.stringify(built.body);
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const send = this.deps.fetch ?? this.deps.outbound?.fetch ?? fetch;
      const response = await send(built.batch.callback_url, {
        method: 'POST',
        // A redirect is a failed attempt, never followed (it could lead anywhere).
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'x-dreamloom-event': 'batch_completed',
          'x-dreamloom-delivery': `${batchId}:${attempt}`,
          'x-dreamloom-signature': signCallback(this.deps.signingSecret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      });
      statusCode = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 300 && response.status < 400)
        error = `HTTP ${response.status}: redirect not followed`;
      else if (!response.ok) error = `HTTP ${response.status}`;
    } catch (thrown) {
      error = (thrown as Error).message.slice(0, 1024);
    }
    await this.deps.studio.recordDelivery({
      id: this.deps.ids.snowflake(),
      batch_id: batchId,
      event: 'batch_completed',
      url: built.batch.callback_url,
      attempt,
      status_code: statusCode,
      ok: error === null,
      error,
      duration_ms: Math.round(performance.now() - started),
      created_at: this.deps.clock.now(),
    });
    if (error) {
      this.deps.logger.warn({ batchId, attempt, statusCode }, 'batch callback failed');
      throw new Error(`Callback delivery failed: ${error}`);
    }
  }
}
