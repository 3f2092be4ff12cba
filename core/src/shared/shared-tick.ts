/**
 * Runs the callbacks scheduled on it together, on one timer that fires `periodMs` after the first
 * of them. Many streams that coalesce their events per period then flush in the same turn of the
 * event loop (so the event bus sends them in one write) instead of each on its own timer.
 */
export class SharedTick {
  private readonly due = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly periodMs: number) {}

  /** Runs `callback` at the next tick (once, however often it is scheduled before then). */
  schedule(callback: () => void): void {
    this.due.add(callback);
    this.timer ??= setTimeout(() => this.fire(), this.periodMs);
  }

  /** Forgets a scheduled callback (its owner flushed early). */
  cancel(callback: () => void): void {
    this.due.delete(callback);
  }

  private fire(): void {
    this.timer = null;
    const callbacks = [...this.due];
    this.due.clear();
    for (const callback of callbacks) callback();
  }
}
