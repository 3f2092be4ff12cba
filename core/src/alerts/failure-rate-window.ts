import type { Alert } from './alert.types.js';

export interface FailureRateOptions {
  /** Share of failed generations (0–1) that counts as a spike. */
  rate: number;
  /** Fewer finished generations than this in the window never count as a spike. */
  minJobs: number;
  windowMs: number;
}

/**
 * The outcomes of the generations this worker finished in the last `windowMs` (cancellations
 * left out: a member changing their mind is no failure). Each worker judges its own outcomes;
 * the alert's de-duplication makes one message of several workers' spikes.
 */
export class FailureRateWindow {
  private outcomes: Array<{ at: number; failed: boolean }> = [];

  constructor(private readonly options: FailureRateOptions) {}

  /** Records one finished generation; returns the alert when the window now shows a spike. */
  record(failed: boolean, now: Date): Alert | null {
    const at = now.getTime();
    this.outcomes.push({ at, failed });
    const since = at - this.options.windowMs;
    if (this.outcomes[0]!.at <= since) this.outcomes = this.outcomes.filter((each) => each.at > since);
    const total = this.outcomes.length;
    const failures = this.outcomes.filter((each) => each.failed).length;
    if (total < this.options.minJobs || failures / total < this.options.rate) return null;
    const percent = Math.round((failures / total) * 100);
    return {
      type: 'failure_rate',
      condition: 'failure_rate:generation',
      severity: 'critical',
      message: `${failures} of the last ${total} generations failed (${percent}%) within ${Math.round(this.options.windowMs / 1000)} s`,
      details: { failed: failures, total, windowMs: this.options.windowMs, threshold: this.options.rate },
      at: now,
    };
  }
}
