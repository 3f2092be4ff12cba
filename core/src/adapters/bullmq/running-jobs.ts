import type { Redis } from 'ioredis';

/**
 * The jobs this process is running, written to Redis as well: one sorted set per deployment,
 * member `queue:jobId`, score the time it lapses, renewed every `renewMs` while the job runs.
 *
 * BullMQ records a running job in the job's own keys. When Redis loses its data (flush, empty
 * restart) those are gone while the job still runs here, and the reconciler, asking the queue
 * about the job, would hear "missing" and queue the task a second time: a second provider call
 * for work already under way. Every live process writes its running jobs again within one renewal
 * of the loss, so a question asked a renewal after the loss gets the truth. A killed process stops
 * renewing and its entries lapse by themselves within a few renewals.
 *
 * Writes are one ZADD per renewal for all of the process's jobs, none per job start or end: a
 * finished job's entry simply lapses (its task is finished too, so nobody asks about it).
 */
export class RunningJobs {
  private readonly local = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly renewMs: number,
  ) {
    this.key = `${prefix}:running-jobs`;
  }

  /** Entries lapse after a few missed renewals (a busy event loop delays one now and then). */
  private get ttlMs(): number {
    return this.renewMs * 3;
  }

  add(queue: string, jobId: string): void {
    this.local.add(`${queue}:${jobId}`);
    if (!this.timer) {
      this.timer = setInterval(() => void this.renew().catch(() => undefined), this.renewMs);
      this.timer.unref();
    }
  }

  delete(queue: string, jobId: string): void {
    this.local.delete(`${queue}:${jobId}`);
  }

  /** Whether some live process (this one included) runs this job, per the set in Redis. */
  async isRunning(queue: string, jobId: string): Promise<boolean> {
    if (this.local.has(`${queue}:${jobId}`)) return true;
    const lapsesAt = await this.redis.zscore(this.key, `${queue}:${jobId}`);
    return lapsesAt !== null && Number(lapsesAt) > Date.now();
  }

  /** One round trip, only while this process runs jobs; the set expires when nobody renews it. */
  private async renew(): Promise<void> {
    if (this.local.size === 0) return;
    const now = Date.now();
    const lapsesAt = now + this.ttlMs;
    await this.redis
      .pipeline()
      .zremrangebyscore(this.key, '-inf', now)
      .zadd(this.key, ...[...this.local].flatMap((member) => [lapsesAt, member]))
      .pexpire(this.key, this.ttlMs)
      .exec();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
