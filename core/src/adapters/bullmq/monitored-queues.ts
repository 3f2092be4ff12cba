import type { Queue } from 'bullmq';
import type { JobQueue } from '../../ports/job-queue.port.js';
import { JOB_NAMES } from '../../job-names.js';
import { BullmqJobQueue } from './bullmq-job-queue.js';

/**
 * Every job queue the worker processes, as BullMQ queues for a monitor UI (bull-board), or an
 * empty list when the core runs on another JobQueue (tests with an in-memory fake).
 */
export function monitoredQueues(queue: JobQueue): Queue[] {
  return queue instanceof BullmqJobQueue ? queue.queuesFor(JOB_NAMES) : [];
}
