import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobQueue } from '../../ports/job-queue.port.js';
import { JobHandedBack } from '../../ports/job-hand-back.js';

/** Seconds: maintenance runs take milliseconds, a Jimeng video ten minutes. */
const JOB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export type QueueMetrics = ReturnType<typeof createQueueMetrics>;

/**
 * Job queues: depth by state (read from Redis when scraped, so it is the cluster's depth, the same
 * from every process) and the duration of the jobs this process ran, by outcome.
 */
export function createQueueMetrics(registry: Registry) {
  let watched: { queue: Pick<JobQueue, 'counts'>; names: readonly string[] } | null = null;
  const depth = new Gauge({
    name: 'dreamloom_queue_jobs',
    help: 'Jobs per queue and state (waiting includes prioritized), read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!watched) return;
      const { queue, names } = watched;
      // Redis down: the previous values stay rather than failing the whole scrape.
      const counts = await Promise.all(names.map((name) => queue.counts(name).catch(() => null)));
      names.forEach((name, index) => {
        const count = counts[index];
        if (count) for (const state of STATES) this.set({ queue: name, state }, count[state]);
      });
    },
  });
  const jobDuration = new Histogram({
    name: 'dreamloom_job_duration_seconds',
    help: 'Duration of jobs run by this process, by queue and outcome (completed, failed, handed_back: cut short by a stopping worker and queued again)',
    labelNames: ['queue', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  // Any process's stalled check may find a dead worker's jobs, so each counts what it found; the
  // cluster's total is the sum. A generation found stalled mid-call is sent to its provider again.
  const stalled = new Counter({
    name: 'dreamloom_queue_jobs_stalled_total',
    help: 'Jobs whose worker died (lock lapsed) found by this process and queued again, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  return {
    depth,
    jobDuration,
    stalled,
    /** Counts one job found stalled and queued again. */
    countStalled(queue: string): void {
      stalled.inc({ queue });
    },
    /** Reports the depth of these queues on every scrape. */
    watchDepth(queue: Pick<JobQueue, 'counts'>, names: readonly string[]): void {
      watched = { queue, names };
    },
    /** Runs one job's handler and records how long it took and whether it threw. */
    async timeJob<T>(queue: string, run: () => Promise<T>): Promise<T> {
      const end = jobDuration.startTimer({ queue });
      try {
        const result = await run();
        end({ outcome: 'completed' });
        return result;
      } catch (error) {
        end({ outcome: error instanceof JobHandedBack ? 'handed_back' : 'failed' });
        throw error;
      }
    },
  };
}
