/** How many recent jobs of one kind the estimates look at; older ones age out. */
const WINDOW = 20;

/** What the card can promise about a job, in seconds; undefined where nothing was seen yet. */
export interface JobEstimate {
  /** Queued: until the job is done (its wait in line, then its run). */
  etaSeconds?: number;
  /** Running: how long a run of this kind usually takes in all. */
  expectedRunSeconds?: number;
}

/**
 * Rolling medians of how long jobs of one kind (a model, a video length) took, as this bot saw
 * them: the run (first "processing" seen → completed) and the wait in line per place ahead
 * (queued at #n → started, divided by n). The bot follows every job its members start, so it
 * learns without a server change; a median keeps one stuck job from skewing the promise.
 */
export class RecentJobDurations {
  private readonly runs = new Map<string, number[]>();
  private readonly waitsPerPlace = new Map<string, number[]>();

  /** A job of `kind` ran for `runMs` (and waited `waitMs` at 1-based `queuePosition`, if it queued). */
  record(kind: string, sample: { runMs: number; waitMs?: number; queuePosition?: number }): void {
    push(this.runs, kind, sample.runMs);
    if (sample.waitMs !== undefined && sample.queuePosition !== undefined && sample.queuePosition >= 1)
      push(this.waitsPerPlace, kind, sample.waitMs / sample.queuePosition);
  }

  /** The run a job of `kind` can expect; undefined before any job of that kind finished. */
  expectedRunMs(kind: string): number | undefined {
    return median(this.runs.get(kind));
  }

  /**
   * A queued job at 1-based `queuePosition`: its wait (places ahead × the usual wait per place)
   * plus its own run. Without any wait seen yet (a quiet queue), the run alone.
   */
  etaMs(kind: string, queuePosition: number): number | undefined {
    const run = this.expectedRunMs(kind);
    if (run === undefined) return undefined;
    return run + (median(this.waitsPerPlace.get(kind)) ?? 0) * queuePosition;
  }
}

function push(samples: Map<string, number[]>, kind: string, value: number): void {
  const list = samples.get(kind) ?? [];
  list.push(Math.max(0, value));
  if (list.length > WINDOW) list.shift();
  samples.set(kind, list);
}

function median(values: number[] | undefined): number | undefined {
  if (!values?.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
