/**
 * Keeps the promises of jobs that outlive the update or interaction that started them,
 * so shutdown and tests can wait for them. Rejections must be handled by the caller
 * before tracking; the tracker only waits.
 */
export class JobTracker {
  private readonly running = new Set<Promise<unknown>>();

  track(job: Promise<unknown>): void {
    const settled = job.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once no job is running, including jobs started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
