import type { EventEmitter } from 'node:events';
import { Queue, WaitingError, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import type { EnqueueOptions, JobHandler, JobQueue, JobState } from '../../ports/job-queue.port.js';
import { HAND_BACK_REASON, JobHandedBack, isHandedBack } from '../../ports/job-hand-back.js';
import type { RunningJobs } from './running-jobs.js';

/**
 * Most jobs one BullMQ worker runs at once; a larger concurrency is split across workers (see
 * process). Each worker holds two Redis connections, so 240 (the pool bench's) costs 40; with 30
 * per worker a 1000-item batch's 60th job started about 100 ms later than with 12.
 */
const MAX_CONCURRENCY_PER_WORKER = 12;

/** How often the schedulers this process created are re-created (see schedule). */
const SCHEDULE_RENEW_MS = 10_000;

/**
 * Times a job may be found stalled (its worker died) before BullMQ fails it instead of queueing
 * it again. A crash-looping job is what this guards against; a job whose workers were killed by
 * a deploy or two is not, so several recoveries are allowed (and the reconciler re-queues a task
 * whose job failed this way anyway).
 */
const MAX_STALLED_COUNT = 5;

/** Runs one job of `queue` (QueueMetrics.timeJob records its duration and outcome). */
type JobTimer = (queue: string, run: () => Promise<void>) => Promise<void>;

/** An ioredis connection (rather than connection options) emits 'ready' on every (re)connect. */
function isEventEmitter(
  connection: ConnectionOptions,
): connection is ConnectionOptions & Pick<EventEmitter, 'on' | 'off'> {
  return typeof (connection as Partial<EventEmitter>).on === 'function';
}

/**
 * JobQueue on BullMQ: one BullMQ queue per job name. Jobs are kept a short while after they end
 * so that job-id deduplication and the reconciler can see them, then removed.
 */
export class BullmqJobQueue implements JobQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workersByName: Array<[string, Worker]> = [];
  /** Every scheduler this process asked for, by name and id, so it can be re-created. */
  private readonly schedules = new Map<string, () => Promise<unknown>>();
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly scheduleRenewMs: number;
  /** Default job lock of every worker (QUEUE_LOCK_MS) and how often lapsed locks are looked for. */
  private readonly lockDurationMs: number;
  private readonly stalledIntervalMs: number;
  private readonly renewOnReconnect = () => void this.renewSchedules();
  /** Wraps every job this process runs (the job duration histogram); by default just runs it. */
  private readonly timeJob: JobTimer;
  private readonly onStalled: (queue: string) => void;
  /** Jobs this process is running now. */
  private running = 0;
  /** Running jobs as every process can see them, also after Redis lost the jobs (see state). */
  private readonly runningJobs: RunningJobs | undefined;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly logger: Logger,
    options: {
      scheduleRenewMs?: number;
      timeJob?: JobTimer;
      /** Called for each job a stalled check of this process found and queued again. */
      onStalled?: (queue: string) => void;
      lockDurationMs?: number;
      stalledIntervalMs?: number;
      runningJobs?: RunningJobs;
    } = {},
  ) {
    this.scheduleRenewMs = options.scheduleRenewMs ?? SCHEDULE_RENEW_MS;
    this.lockDurationMs = options.lockDurationMs ?? 30_000;
    this.stalledIntervalMs = options.stalledIntervalMs ?? this.lockDurationMs;
    this.runningJobs = options.runningJobs;
    this.timeJob = options.timeJob ?? ((_queue, run) => run());
    this.onStalled = options.onStalled ?? (() => undefined);
  }

  /**
   * The BullMQ queues behind the given job names, for the staff queue monitor (bull-board). The
   * server gets them through `monitoredQueues(core)` so that only this adapter imports bullmq.
   */
  queuesFor(names: readonly string[]): Queue[] {
    return names.map((name) => this.queue(name));
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', (error) => this.logger.error({ err: error, queue: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<Payload>(name: string, payload: Payload, options: EnqueueOptions): Promise<void> {
    await this.queue(name).add(name, payload, {
      jobId: options.jobId,
      priority: options.priority,
      delay: options.delayMs,
      attempts: options.attempts,
      backoff: options.attempts ? { type: 'exponential', delay: options.backoffMs ?? 1000 } : undefined,
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async enqueueMany<Payload>(
    name: string,
    jobs: Array<{ payload: Payload; options: EnqueueOptions }>,
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue(name).addBulk(
      jobs.map(({ payload, options }) => ({
        name,
        data: payload,
        opts: {
          jobId: options.jobId,
          priority: options.priority,
          delay: options.delayMs,
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
  }

  cancelActive(name: string, jobId: string): boolean {
    let cancelled = false;
    for (const [workerName, worker] of this.workersByName) {
      if (workerName === name && worker.cancelJob(jobId, 'cancelled')) cancelled = true;
    }
    return cancelled;
  }

  handBackActive(): number {
    // Each job's processor (see startWorker) sees the reason and moves its job back to waiting.
    for (const worker of this.workers) worker.cancelAllJobs(HAND_BACK_REASON);
    return this.running;
  }

  /**
   * Creates (or keeps) a BullMQ job scheduler, and keeps re-creating it: a scheduler is only data
   * in Redis, so a FLUSHALL or a failover to an empty replica would silently end it until some
   * worker restarted. Upserting an unchanged scheduler neither duplicates nor postpones its runs.
   */
  async schedule<Payload>(
    name: string,
    schedulerId: string,
    everyMs: number,
    payload: Payload,
  ): Promise<void> {
    const upsert = () =>
      this.queue(name).upsertJobScheduler(
        schedulerId,
        { every: everyMs },
        { name, data: payload, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    this.schedules.set(`${name}:${schedulerId}`, upsert);
    await upsert();
    if (!this.renewTimer) {
      this.renewTimer = setInterval(this.renewOnReconnect, this.scheduleRenewMs);
      this.renewTimer.unref();
      // A reconnect may mean a different (empty) Redis: renew at once rather than at the next tick.
      if (isEventEmitter(this.connection)) this.connection.on('ready', this.renewOnReconnect);
    }
  }

  private async renewSchedules(): Promise<void> {
    for (const upsert of this.schedules.values()) {
      await upsert().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not renew a job scheduler; retrying at the next interval'),
      );
    }
  }

  async counts(name: string) {
    const counts = await this.queue(name).getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  async state(name: string, jobId: string): Promise<JobState> {
    const job = await this.queue(name).getJob(jobId);
    // Redis may have lost the job (flush, empty restart) while a live worker still runs it.
    if (!job) return (await this.runningJobs?.isRunning(name, jobId)) ? 'active' : 'missing';
    const state = await job.getState();
    if (state === 'unknown' || state === 'waiting-children') return 'missing';
    return state as JobState;
  }

  async waitingPosition(name: string, jobId: string): Promise<number | null> {
    const queue = this.queue(name);
    const state = await this.state(name, jobId);
    if (state !== 'waiting' && state !== 'prioritized') return null;
    // BullMQ runs jobs without a priority before prioritized ones, so count plain waiting jobs first.
    const jobs = [
      ...(await queue.getJobs(['waiting'], 0, 999, true)),
      ...(await queue.getJobs(['prioritized'], 0, 999, true)),
    ];
    const index = jobs.findIndex((job) => job?.id === jobId);
    return index >= 0 ? index : null;
  }

  async remove(name: string, jobId: string): Promise<boolean> {
    const job = await this.queue(name).getJob(jobId);
    if (!job || (await job.isActive())) return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // became active (locked) in the meantime
    }
  }

  async process<Payload>(
    name: string,
    handler: JobHandler<Payload>,
    options: { concurrency: number; lockDurationMs?: number },
  ): Promise<void> {
    const lockDuration = options.lockDurationMs ?? this.lockDurationMs;
    // A BullMQ worker takes its jobs one Redis round trip at a time and starts none of them until
    // it holds `concurrency` jobs or the queue is empty: with a concurrency of hundreds, a large
    // batch's first jobs wait for the hundredth to be fetched. Several workers sharing the
    // concurrency fetch side by side and each starts its jobs after a few dozen round trips.
    const workers = Math.max(1, Math.ceil(options.concurrency / MAX_CONCURRENCY_PER_WORKER));
    const base = Math.floor(options.concurrency / workers);
    const extra = options.concurrency % workers;
    await Promise.all(
      Array.from({ length: workers }, (_, index) =>
        this.startWorker(name, handler, base + (index < extra ? 1 : 0), lockDuration),
      ),
    );
  }

  private async startWorker<Payload>(
    name: string,
    handler: JobHandler<Payload>,
    concurrency: number,
    lockDuration: number,
  ): Promise<void> {
    const worker = new Worker(
      name,
      async (job, token, signal) => {
        this.running += 1;
        this.runningJobs?.add(name, job.id!);
        try {
          await this.timeJob(name, async () => {
            try {
              await handler(job.data as Payload, {
                jobId: job.id!,
                signal: signal ?? new AbortController().signal,
                attempt: job.attemptsMade + 1,
              });
            } catch (error) {
              // Whatever the handler threw on its way out, the job was cut short, not failed.
              throw isHandedBack(signal) ? new JobHandedBack() : error;
            }
          });
        } catch (error) {
          if (!isHandedBack(signal)) throw error;
          // Back to waiting under this worker's lock, before the lock could lapse: another worker
          // takes it at once. BullMQ counts no attempt for it (WaitingError is no failure).
          await job.moveToWait(token);
          throw new WaitingError();
        } finally {
          this.running -= 1;
          this.runningJobs?.delete(name, job.id!);
        }
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency,
        // A dead worker's jobs go back to the queue once their lock lapses (BullMQ renews a live
        // job's lock every quarter to half of lockDuration) and the next stalled check runs.
        lockDuration,
        stalledInterval: this.stalledIntervalMs,
        maxStalledCount: MAX_STALLED_COUNT,
      },
    );
    worker.on('error', (error) => this.logger.error({ err: error, queue: name }, 'worker error'));
    worker.on('failed', (job, error) =>
      this.logger.warn({ err: error, jobId: job?.id, queue: name }, 'job failed'),
    );
    worker.on('stalled', (jobId) => {
      this.logger.warn({ jobId, queue: name }, 'job stalled (its worker died): queued again');
      this.onStalled(name);
    });
    await worker.waitUntilReady();
    this.workers.push(worker);
    this.workersByName.push([name, worker]);
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    this.runningJobs?.stop();
    if (isEventEmitter(this.connection)) this.connection.off('ready', this.renewOnReconnect);
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
