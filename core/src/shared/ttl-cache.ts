/**
 * A tiny per-process read-through cache of promises with a time to live. The chat engine keeps
 * the story, its cast, templates, staff posts and model rows for a few seconds, so the hot path
 * to the first token does not read them from the database.
 * An expired value that loaded fine is still served while one reload runs in the background
 * (a burst of replies must not all wait on that read). That reload starts after a random
 * delay of up to `ttlMs / 4`: entries loaded together (every member of a burst) expire together
 * and would otherwise all be reloaded inside the next burst, on the CPU its requests need
 * before their upstream calls. Catalog edits therefore reach running chats within 1.25 × `ttlMs`
 * plus one load.
 */
interface Entry<V> {
  value: Promise<V>;
  expires: number;
  /** The value resolved: it may be served stale while a reload runs. */
  loaded: boolean;
  reloading: boolean;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (hit?.loaded) {
      if (!hit.reloading) this.reload(key, hit, load);
      return hit.value;
    }
    const value = load();
    if (this.ttlMs <= 0) return value;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const entry = { value, expires: now + this.ttlMs, loaded: false, reloading: false };
    this.entries.set(key, entry);
    value.then(
      () => (entry.loaded = true),
      // A failed load is not remembered.
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    return value;
  }

  private reload(key: string, stale: Entry<V>, load: () => Promise<V>): void {
    stale.reloading = true;
    const timer = setTimeout(() => this.runReload(key, stale, load), Math.random() * (this.ttlMs / 4));
    timer.unref?.();
  }

  private runReload(key: string, stale: Entry<V>, load: () => Promise<V>): void {
    if (this.entries.get(key) !== stale) return;
    load().then(
      (value) => {
        if (this.entries.get(key) === stale)
          this.entries.set(key, {
            value: Promise.resolve(value),
            expires: Date.now() + this.ttlMs,
            loaded: true,
            reloading: false,
          });
      },
      // The next caller loads in the foreground and sees the error.
      () => this.entries.get(key) === stale && this.entries.delete(key),
    );
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
