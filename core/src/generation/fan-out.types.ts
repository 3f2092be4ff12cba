/**
 * Fan-out: a task with N outputs runs as N sub-jobs (one output position each) with a bounded
 * number in flight per task. Names and payloads of the engine's sub-jobs and their events.
 */
import type { TaskOutputEvent } from './generation.types.js';

export const GENERATION_ITEM_JOB = 'generation-item';
export interface GenerationItemJobPayload {
  taskId: string;
  position: number;
}
/** BullMQ refuses `:` in custom ids, hence the dot. */
export const itemJobId = (taskId: string, position: number) => `${taskId}.${position}`;

export const ITEM_STATUSES = ['pending', 'queued', 'running', 'done', 'failed'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** Extra params of a fanned-out task (stored in the task's params JSON beside ImageTaskParams). */
export interface FanOutTaskParams {
  fanOut?: { concurrency: number };
  /** Reference images in blob storage, in the order they go to the provider. */
  referenceKeys?: string[];
  /** Contract 004's `options` as a generation config (see nanobanana/generation-options.ts). */
  sampling?: Readonly<Record<string, unknown>>;
}

/** A task's final state when it fanned out: partial means some positions failed. */
export type FanOutFinalStatus = 'completed' | 'partial' | 'failed';

export const FanOutEvents = {
  /** One output position was stored (carries the stored asset so clients can show it at once). */
  output: 'task.output',
} as const;

export interface StoredOutput {
  id: string;
  position: number;
  storageKey: string;
  thumbnailKey: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
  createdAt: string;
}

export interface TaskOutputStoredEvent {
  taskId: string;
  completedCount: number;
  totalCount: number;
  output: StoredOutput;
}

/** Published under TaskEvents.completed / TaskEvents.failed when a fanned-out task ends. */
export interface FanOutFinishedEvent {
  taskId: string;
  status: FanOutFinalStatus;
  completedCount: number;
  failedCount: number;
  totalCount: number;
  errorMessage: string | null;
  /** For listeners of TaskFailedEvent. */
  error?: { code: string; message: string };
  /** For listeners of TaskCompletedEvent (URLs of the outputs). */
  outputs?: TaskOutputEvent[];
}
