import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import type { EnqueueOptions, JobHandler, JobQueue, JobState } from '../../ports/job-queue.port.js';

/**
 * JobQueue on BullMQ: one BullMQ queue per job name. Jobs are kept a short while after they end
 * so that job-id deduplication and the reconciler can see them, then removed.
 */
export class BullmqJobQueue implements JobQueue {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

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
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async state(name: string, jobId: string): Promise<JobState> {
    const job = await this.queue(name).getJob(jobId);
    if (!job) return 'missing';
    const state = await job.getState();
    if (state === 'unknown' || state === 'waiting-children') return 'missing';
    return state as JobState;
  }

  async waitingPosition(name: string, jobId: string): Promise<number | null> {
    const queue = this.queue(name);
    const state = await this.state(name, jobId);
    if (state !== 'waiting' && state !== 'prioritized') return null;
    // Prioritized jobs run before plain waiting ones, so count them first.
    const jobs = [
      ...(await queue.getJobs(['prioritized'], 0, 999, true)),
      ...(await queue.getJobs(['waiting'], 0, 999, true)),
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
    options: { concurrency: number },
  ): Promise<void> {
    const worker = new Worker(
      name,
      async (job, _token, signal) =>
        handler(job.data as Payload, { jobId: job.id!, signal: signal ?? new AbortController().signal }),
      { connection: this.connection, prefix: this.prefix, concurrency: options.concurrency },
    );
    worker.on('error', (error) => this.logger.error({ err: error, queue: name }, 'worker error'));
    worker.on('failed', (job, error) =>
      this.logger.warn({ err: error, jobId: job?.id, queue: name }, 'job failed'),
    );
    await worker.waitUntilReady();
    this.workers.push(worker);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
