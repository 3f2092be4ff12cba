/**
 * Group commit: many callers each `add` one item and wait for it to be written, but the items
 * of one burst are written together by a single `flush`. At most one flush per key runs at a
 * time; items added meanwhile wait for the next one, so the busier the system, the larger the
 * groups (and an idle system still writes an item on the next turn of the event loop).
 *
 * Every caller's promise settles only after the flush that carried its item, with that flush's
 * result or error — so durability is what it would be with one write per caller.
 */
export class GroupCommit<Key, Item, Result> {
  private readonly pending = new Map<Key, Array<PendingItem<Item, Result>>>();
  private readonly running = new Set<Key>();

  /**
   * @param flush writes one group; its result is handed to every caller in the group.
   * @param maxGroup most items per flush (a larger burst takes several). Default 500.
   */
  constructor(
    private readonly flush: (key: Key, items: Item[]) => Promise<Result>,
    private readonly maxGroup = 500,
  ) {}

  add(key: Key, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.pending.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else this.pending.set(key, [{ item, resolve, reject }]);
      if (!this.running.has(key)) this.schedule(key);
    });
  }

  private schedule(key: Key): void {
    this.running.add(key);
    // setImmediate: callers woken in the same turn (one database answer resolving many awaits)
    // join the group before it is written.
    setImmediate(() => void this.drain(key));
  }

  private async drain(key: Key): Promise<void> {
    const queue = this.pending.get(key) ?? [];
    const group = queue.splice(0, this.maxGroup);
    if (queue.length === 0) this.pending.delete(key);
    try {
      const result = await this.flush(
        key,
        group.map((entry) => entry.item),
      );
      for (const entry of group) entry.resolve(result);
    } catch (error) {
      for (const entry of group) entry.reject(error);
    } finally {
      this.running.delete(key);
      if (this.pending.has(key)) this.schedule(key);
    }
  }
}

interface PendingItem<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}
