import type { GenerationAction, TaskError, TaskOutput, TaskSnapshot } from './dreamloom-client.js';

/**
 * `submitting` is the bot's own phase before the server has accepted the task; `cancelled` is a
 * failed task whose error is the member's own cancel (the server reports both as failed).
 */
export type JobPhase = 'submitting' | 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** What the job is, shown on its card so a busy group can tell cards apart. */
export interface JobContext {
  /** Who asked, as the platform shows a name (groups; a Discord mention). */
  requestedBy?: string;
  /** Card actions: which action on which image, e.g. "Variation of image 2". */
  origin?: string;
  model?: string;
  ratio?: string;
  resolution?: string;
  durationSeconds?: number;
  /** Number of images asked for. */
  count?: number;
}

/** Everything a job card can show; platform-neutral and built up from task snapshots. */
export interface JobState {
  prompt: string;
  context?: JobContext;
  phase: JobPhase;
  taskId?: string;
  /** 0–100. */
  progress?: number;
  /** Free-form stage text from the worker ("upscaling", "waiting for a provider account"). */
  message?: string;
  /** 1-based position in the queue; only meaningful while pending. */
  queuePosition?: number;
  /** Seconds until the job is done: the server's, else the bot's estimate from recent jobs. */
  etaSeconds?: number;
  /** Running: seconds since the bot saw the job start (kept current while it runs). */
  elapsedSeconds?: number;
  /** Running: how long a run of this kind usually takes in all, from recent jobs. */
  expectedSeconds?: number;
  creditsUsed?: number;
  outputs?: TaskOutput[];
  /** Number of files delivered with the final card. */
  imageCount?: number;
  /** What the delivered files are; the card says "Videos" instead of "Images". Default image. */
  mediaKind?: 'image' | 'video';
  /** The card actions the server offers on the finished job; unknown means reroll only. */
  actions?: GenerationAction[];
  error?: TaskError;
  /**
   * Cancelled jobs: what the server gives back. The refund sets the task's credits to 0, so the
   * charge seen while the job ran is kept here when the cancel arrives.
   */
  refundedCredits?: number;
}

const rank: Record<JobPhase, number> = {
  submitting: 0,
  pending: 1,
  processing: 2,
  completed: 3,
  failed: 3,
  cancelled: 3,
};

/** The server's error code of a member's own cancel (README "Errors in English"). */
export const CANCELLED_CODE = 'CANCELLED';

export function initialJobState(prompt: string, context?: JobContext): JobState {
  return { prompt, phase: 'submitting', ...(context ? { context } : {}) };
}

export function isTerminal(phase: JobPhase): boolean {
  return phase === 'completed' || phase === 'failed' || phase === 'cancelled';
}

/**
 * Folds one snapshot into the state. Snapshots come from socket events and status reads
 * that can cross each other, so a snapshot from an earlier phase is ignored, a terminal
 * state never changes, and progress never goes backwards within a phase.
 */
export function applySnapshot(state: JobState, snapshot: TaskSnapshot): JobState {
  if (isTerminal(state.phase)) return state;
  if (rank[snapshot.status] < rank[state.phase]) return state;

  const samePhase = snapshot.status === state.phase;
  const next: JobState = {
    ...state,
    phase: snapshot.status,
    taskId: snapshot.taskId,
    message: snapshot.message ?? (samePhase ? state.message : undefined),
    etaSeconds: snapshot.etaSeconds ?? (samePhase ? state.etaSeconds : undefined),
    queuePosition:
      snapshot.status === 'pending' ? (snapshot.queuePosition ?? state.queuePosition) : undefined,
    creditsUsed: snapshot.creditsUsed ?? state.creditsUsed,
    outputs: snapshot.outputs ?? state.outputs,
    error: snapshot.error ?? state.error,
    actions: snapshot.actions ?? state.actions,
  };

  const progress = snapshot.progress === undefined ? undefined : clamp(snapshot.progress, 0, 100);
  if (snapshot.status === 'completed') next.progress = 100;
  else if (samePhase) next.progress = maxDefined(state.progress, progress);
  else next.progress = progress;

  if (snapshot.status === 'failed' && !next.error) {
    next.error = { code: 'GENERATION_FAILED', message: 'Generation failed' };
  }
  if (snapshot.status === 'failed' && next.error?.code === CANCELLED_CODE) {
    next.phase = 'cancelled';
    next.refundedCredits = state.creditsUsed ?? 0;
    next.creditsUsed = 0;
  }
  return next;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(n)));
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
