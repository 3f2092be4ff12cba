/**
 * Task snapshots (the row's fields and stored outputs that status answers are built from) this
 * server node has read, by task id: members' clients and the bots poll a generation's status
 * every second or two while it runs, and most polls find nothing changed. A snapshot is dropped
 * by every event of the task's room (task.progress, task.completed, task.failed, outputs), the
 * same events members receive over socket.io, and by `tasks.changed` for changes no task event
 * announces (task-changes.ts), on every node. So a poll is never staler than the events: a node
 * drops the snapshot in the same turn in which it relays the event to its sockets.
 * `maxAgeMs` only bounds what a notice lost with a broken Redis connection could leave behind.
 *
 * A load that overlaps an invalidation of its task is returned to its caller but not remembered
 * (it may have read the row from before the change); concurrent polls of a task not in memory
 * share one load, unless it began before an invalidation.
 */
export class TaskSnapshotCache<Snapshot> {
  private readonly entries = new Map<string, { snapshot: Snapshot; storedAt: number }>();
  private readonly loading = new Map<string, { result: Promise<Snapshot | null>; stale: boolean }>();

  constructor(
    private readonly maxAgeMs = 60_000,
    // About 1–2 KB each: at most some 20 MB; the oldest stored snapshot goes first.
    private readonly maxEntries = 10_000,
  ) {}

  /** The remembered snapshot, else `load`'s (null: no such task, not remembered). */
  get(taskId: string, now: number, load: () => Promise<Snapshot | null>): Promise<Snapshot | null> {
    const hit = this.entries.get(taskId);
    if (hit && now - hit.storedAt < this.maxAgeMs) return Promise.resolve(hit.snapshot);
    if (hit) this.entries.delete(taskId);
    const running = this.loading.get(taskId);
    if (running && !running.stale) return running.result;
    const flight = { result: load(), stale: false };
    this.loading.set(taskId, flight);
    const settle = () => {
      if (this.loading.get(taskId) === flight) this.loading.delete(taskId);
    };
    flight.result.then((snapshot) => {
      settle();
      if (snapshot === null || flight.stale) return;
      if (this.entries.size >= this.maxEntries)
        this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(taskId, { snapshot, storedAt: now });
    }, settle);
    return flight.result;
  }

  forget(taskIds: readonly string[]): void {
    for (const id of taskIds) {
      this.entries.delete(id);
      const running = this.loading.get(id);
      if (running) running.stale = true;
    }
  }
}
