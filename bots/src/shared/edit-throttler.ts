export interface EditThrottlerOptions {
  /** Minimum time between the starts of two deliveries. */
  intervalMs: number;
  /** Called when an intermediate delivery fails; the next state still goes out. Default: ignore. */
  onError?: (error: unknown) => void;
}

/**
 * Latest-state-wins delivery of message edits. Platforms rate-limit edits of one message
 * (Telegram roughly one every few seconds), and a job can report progress many times a
 * second, so updates are coalesced: at most one delivery per interval, only the newest
 * pending state is sent, and deliveries never overlap. {@link finish} always delivers the
 * final state, after any delivery in flight and still respecting the interval.
 */
export class EditThrottler<T> {
  private pending: { value: T } | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly deliver: (value: T) => Promise<void>,
    private readonly options: EditThrottlerOptions,
  ) {}

  /** Queues a state; replaces any state not yet delivered. Ignored after {@link finish} or {@link cancel}. */
  push(value: T): void {
    if (this.closed) return;
    this.pending = { value };
    this.schedule();
  }

  /**
   * Delivers the final state: drops anything pending, waits for the delivery in flight and the
   * rest of the interval, then delivers `value`. Rejects if that delivery fails.
   */
  async finish(value: T): Promise<void> {
    await this.cancel();
    const wait = this.lastStart + this.options.intervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastStart = Date.now();
    await this.deliver(value);
  }

  /** Stops delivering: drops anything pending and waits for the delivery in flight. */
  async cancel(): Promise<void> {
    this.closed = true;
    this.pending = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
  }

  private schedule(): void {
    if (this.inFlight || this.timer || !this.pending) return;
    const wait = this.lastStart + this.options.intervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.run();
      }, wait);
    } else {
      this.run();
    }
  }

  private run(): void {
    const next = this.pending;
    if (!next || this.closed) return;
    this.pending = undefined;
    this.lastStart = Date.now();
    this.inFlight = Promise.resolve()
      .then(() => this.deliver(next.value))
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
  }
}
