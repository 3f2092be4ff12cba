/** Options of one enqueued job. */
export interface EnqueueOptions {
  /** Deduplicates: a job with the same id that still exists is not added again. */
  jobId: string;
  /** Lower runs first (BullMQ semantics: 1 is the highest priority). Default: no priority. */
  priority?: number;
  /** Delay before the job becomes runnable, in ms. Default 0. */
  delayMs?: number;
  /** Tries in all (the queue retries a throwing handler). Default 1. */
  attempts?: number;
  /** First retry delay, doubling each time (exponential backoff). Default 1000. */
  backoffMs?: number;
}

export type JobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'completed' | 'failed' | 'missing';

/** Runs one job; throwing marks the job failed (handlers decide their own retries). */
export type JobHandler<Payload> = (
  payload: Payload,
  context: { jobId: string; signal: AbortSignal; attempt: number },
) => Promise<void>;

/**
 * Delivers work to workers. Only delivers: the database is the source of truth for every task,
 * so a lost job is recovered by the reconciler, never by the queue.
 */
export interface JobQueue {
  enqueue<Payload>(name: string, payload: Payload, options: EnqueueOptions): Promise<void>;
  /** Adds many jobs in one round trip (batches of hundreds must be accepted within a second). */
  enqueueMany<Payload>(
    name: string,
    jobs: Array<{ payload: Payload; options: EnqueueOptions }>,
  ): Promise<void>;
  /** Aborts a job running in this process (its handler's signal fires); false when not running here. */
  cancelActive(name: string, jobId: string): boolean;
  /**
   * A stopping worker's last resort once its grace ran out: aborts every job running in this
   * process with a JobHandedBack reason (provider calls aborted, account slots released) and puts
   * each back in the queue for another worker at once, neither failed nor counted as an attempt
   * (without this they would wait for their lock to lapse). Returns how many were running.
   */
  handBackActive(): number;
  /** Runs `name` every `everyMs` once across all workers (a BullMQ job scheduler). */
  schedule<Payload>(name: string, schedulerId: string, everyMs: number, payload: Payload): Promise<void>;
  /** Counts of jobs by state, for dashboards. */
  counts(name: string): Promise<{ waiting: number; active: number; delayed: number; failed: number }>;
  /** State of a job by id, or `missing` when the queue no longer knows it. */
  state(name: string, jobId: string): Promise<JobState>;
  /** Position among waiting jobs (0 = next), or null when not waiting. */
  waitingPosition(name: string, jobId: string): Promise<number | null>;
  /** Removes a job that has not started yet; returns false when it is running or gone. */
  remove(name: string, jobId: string): Promise<boolean>;
  /** Starts consuming jobs of `name` in this process. */
  process<Payload>(
    name: string,
    handler: JobHandler<Payload>,
    options: { concurrency: number; lockDurationMs?: number },
  ): Promise<void>;
  close(): Promise<void>;
}
