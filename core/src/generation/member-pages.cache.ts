interface Entry {
  page: unknown;
  owner: string;
  taskIds: readonly string[];
  storedAt: number;
}

/**
 * History pages (a member's generations, newest first) this server node has built, by owner and
 * query: clients reload them as members browse and after every job. A page is dropped when
 *  - an event arrives for a task on it (the task events members receive over socket.io, and
 *    `tasks.changed` for changes no task event announces, see task-changes.ts), or
 *  - its owner's list changes (`tasks.changed` naming the owner: a task created or deleted,
 *    which moves every page and the total).
 * Only pages whose content is fixed by that are cached: unfiltered lists of one owner, ordered
 * by creation (a status filter would let a task from another page move in without an event of a
 * task on this one). `maxAgeMs` only bounds what a notice lost with a broken Redis connection
 * could leave behind.
 *
 * A load during which anything was invalidated is returned but not remembered: it may have read
 * rows from before the change.
 */
export class MemberPagesCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byTask = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private generation = 0;

  /**
   * `maxEntries` bounds memory: a page of 20 generations is about 20 KB of JSON-ready objects, so
   * the default holds at most some 40 MB; the oldest stored page goes first.
   */
  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 2_000,
  ) {}

  async get<Page>(
    owner: string,
    query: string,
    now: number,
    load: () => Promise<{ page: Page; taskIds: readonly string[] }>,
  ): Promise<Page> {
    const key = `${owner}\u0000${query}`;
    const hit = this.entries.get(key);
    if (hit && now - hit.storedAt < this.maxAgeMs) return hit.page as Page;
    if (hit) this.drop(key);
    const mark = this.generation;
    const { page, taskIds } = await load();
    if (mark === this.generation) this.put(key, { page, owner, taskIds, storedAt: now });
    return page;
  }

  forgetTasks(taskIds: readonly string[]): void {
    this.generation += 1;
    for (const id of taskIds) for (const key of [...(this.byTask.get(id) ?? [])]) this.drop(key);
  }

  forgetOwners(owners: readonly string[]): void {
    this.generation += 1;
    for (const owner of owners) for (const key of [...(this.byOwner.get(owner) ?? [])]) this.drop(key);
  }

  private put(key: string, entry: Entry): void {
    if (this.entries.has(key)) this.drop(key);
    if (this.entries.size >= this.maxEntries) this.drop(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
    this.index(this.byOwner, entry.owner, key);
    for (const id of entry.taskIds) this.index(this.byTask, id, key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.unindex(this.byOwner, entry.owner, key);
    for (const id of entry.taskIds) this.unindex(this.byTask, id, key);
  }

  private index(map: Map<string, Set<string>>, id: string, key: string): void {
    let keys = map.get(id);
    if (!keys) map.set(id, (keys = new Set()));
    keys.add(key);
  }

  private unindex(map: Map<string, Set<string>>, id: string, key: string): void {
    const keys = map.get(id);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) map.delete(id);
  }
}
