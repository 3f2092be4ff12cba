/** Queue job that runs one generation task; its job id is the task id, which deduplicates. */
export const GENERATION_JOB = 'generation';
export interface GenerationJobPayload {
  taskId: string;
}

/** Delayed re-check of an asynchronous provider's task (kie.ai); job id `<taskId>:poll:<n>`. */
export const PROVIDER_POLL_JOB = 'provider-poll';
export interface ProviderPollJobPayload {
  taskId: string;
}

/** `partial`: a fanned-out task where some outputs failed and the others were stored. */
export const TASK_STATUSES = [
  'pending',
  'processing',
  'completed',
  'failed',
  'cancelled',
  'partial',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled', 'partial'];

/** Everything needed to run (or rerun) an image generation; stored as the task's params JSON. */
export interface ImageTaskParams {
  ratio: string;
  resolution: string;
  negativePrompt?: string;
  sampleStrength?: number;
  intelligentRatio?: boolean;
  referenceImages?: string[];
  /** The caller's original request fields, kept so a generation can be reused exactly (000 v1.1). */
  request?: Record<string, unknown>;
  /** Video tasks: seconds, and first (and last) frame URLs. */
  duration?: number;
  frames?: string[];
  /** Keep every output of one successful provider call (Jimeng returns several) instead of `requested_count`. */
  keepAllOutputs?: boolean;
  /** Only one task holding the same key runs at a time, across all workers (e.g. one storyboard). */
  exclusiveKey?: string;
  /** Pool selection for this task (contract 003 §11.1); defaults from config. */
  accountStrategy?: 'round_robin' | 'least_used' | 'priority';
  maxConcurrentPerAccount?: number;
  rateLimitHandling?: 'wait' | 'skip' | 'switch_on_limit';
}

export const taskRoom = (taskId: string) => `task:${taskId}`;

/** Event names on a task's room. */
export const TaskEvents = {
  progress: 'task.progress',
  completed: 'task.completed',
  failed: 'task.failed',
} as const;

export interface TaskProgressEvent {
  taskId: string;
  status: 'pending' | 'processing';
  progress: number;
  message?: string;
  queuePosition?: number;
  etaSeconds?: number;
}

export interface TaskOutputEvent {
  url: string;
  thumbnailUrl: string | null;
  width: number | null;
  height: number | null;
  mime: string;
}

export interface TaskCompletedEvent {
  taskId: string;
  status: 'completed';
  outputs: TaskOutputEvent[];
}

export interface TaskFailedEvent {
  taskId: string;
  status: 'failed' | 'cancelled';
  error: { code: string; message: string };
}
