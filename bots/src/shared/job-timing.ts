import type { JobContext, JobState } from './job-state.js';
import type { RecentJobDurations } from './recent-job-durations.js';

/** Jobs are compared with jobs of the same model (and video length): "image:default", "video:kling/v2:5s". */
export function durationKind(context: JobContext | undefined): string {
  const video = context?.durationSeconds !== undefined;
  return [
    video ? 'video' : 'image',
    context?.model ?? 'default',
    ...(video ? [`${context.durationSeconds}s`] : []),
  ].join(':');
}

/**
 * One job's clock as the bot sees it: when it was first seen queued (and where), when it started
 * running. Puts the ETA and elapsed/expected time on the states the card shows, and teaches
 * {@link RecentJobDurations} how long the job took once it completed.
 */
export class JobTiming {
  private queuedAt: number | undefined;
  private firstQueuePosition: number | undefined;
  private startedAt: number | undefined;
  private readonly createdAt: number;

  constructor(
    private readonly durations: RecentJobDurations | undefined,
    private readonly kind: string,
    private readonly now: () => number,
  ) {
    this.createdAt = now();
  }

  /** The state with its timings; the server's own ETA, when it sends one, wins. */
  annotate(state: JobState): JobState {
    const now = this.now();
    if (state.phase === 'pending') {
      this.queuedAt ??= now;
      // The accepted task often arrives without its place; the first place seen counts.
      this.firstQueuePosition ??= state.queuePosition;
      const estimate =
        state.queuePosition !== undefined
          ? this.durations?.etaMs(this.kind, state.queuePosition)
          : this.durations?.expectedRunMs(this.kind);
      return { ...state, etaSeconds: state.etaSeconds ?? seconds(estimate) };
    }
    if (state.phase === 'processing') {
      this.startedAt ??= now;
      return {
        ...state,
        elapsedSeconds: Math.floor((now - this.startedAt) / 1000),
        expectedSeconds: seconds(this.durations?.expectedRunMs(this.kind)),
      };
    }
    return state;
  }

  /** The job completed now: its run (and wait in line) become samples for the next cards. */
  finished(): void {
    if (!this.durations) return;
    const now = this.now();
    const startedAt = this.startedAt ?? this.queuedAt ?? this.createdAt;
    const waited = this.startedAt !== undefined && this.queuedAt !== undefined;
    this.durations.record(this.kind, {
      runMs: now - startedAt,
      ...(waited && this.firstQueuePosition !== undefined
        ? { waitMs: this.startedAt! - this.queuedAt!, queuePosition: this.firstQueuePosition }
        : {}),
    });
  }
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.max(1, Math.round(ms / 1000));
}
