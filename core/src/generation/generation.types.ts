/** Queue job that runs one generation task; its job id is the task id, which deduplicates. */
export const GENERATION_JOB = 'generation';
export interface GenerationJobPayload {
  taskId: string;
}

export const TASK_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

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
