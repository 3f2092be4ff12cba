import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';

/** A process's marker outlives a few missed checks; a dead process's marker goes away by itself. */
const MARKER_TTL_MS = 60_000;

/**
 * Notices that Redis lost its data: a FLUSHALL, a restart with no persistence, a failover to an
 * empty replica. Every queued job is gone then, and nothing in Redis says so; the database still
 * knows which tasks are unfinished, so whoever listens (the reconciler) can queue them again at
 * once instead of at its next regular pass.
 *
 * Each process keeps a marker key of its own (other processes re-creating theirs must not hide
 * the loss from this one) and checks it every `intervalMs`, and on every reconnect: a marker that
 * has to be created again means the data it sat beside is gone too. One round trip per check.
 */
export class RedisLossWatch {
  private readonly marker: string;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private readonly listeners: Array<() => void> = [];
  private readonly checkOnReconnect = () => void this.check();

  constructor(private readonly deps: { redis: Redis; prefix: string; intervalMs: number; logger: Logger }) {
    this.marker = `${deps.prefix}:loss-marker:${randomUUID()}`;
  }

  /** Runs `listener` (not awaited; it must not throw) each time a loss is noticed. */
  onLoss(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Places the marker (its absence now is no loss: nothing was watched yet), then checks. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.deps.redis.set(this.marker, '1', 'PX', MARKER_TTL_MS);
    this.timer = setInterval(this.checkOnReconnect, this.deps.intervalMs);
    this.timer.unref();
    this.deps.redis.on('ready', this.checkOnReconnect);
  }

  /** One check; concurrent callers (timer and reconnect) share it. */
  check(): Promise<void> {
    this.checking ??= this.markerWasMissing()
      .then((lost) => {
        if (!lost || !this.timer) return;
        this.deps.logger.warn(
          'Redis lost its data (flush, restart or failover): recovering from the database',
        );
        for (const listener of this.listeners) listener();
      })
      .catch(() => undefined) // Redis unreachable: the reconnect's check will tell
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }

  /** Re-creates the marker if it is missing (reporting that) and extends it either way. */
  private async markerWasMissing(): Promise<boolean> {
    const results = await this.deps.redis
      .multi()
      .set(this.marker, '1', 'PX', MARKER_TTL_MS, 'NX')
      .pexpire(this.marker, MARKER_TTL_MS)
      .exec();
    const [error, created] = results?.[0] ?? [null, null];
    if (error) throw error;
    return created === 'OK';
  }

  /** Stops checking; the marker goes too (when Redis is down it lapses by itself: never wait for it). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.deps.redis.off('ready', this.checkOnReconnect);
    if (this.deps.redis.status === 'ready') await this.deps.redis.del(this.marker).catch(() => undefined);
  }
}
