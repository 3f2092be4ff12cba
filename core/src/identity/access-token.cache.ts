import type { Actor } from './actor.js';

interface CachedToken {
  actor: Actor;
  /** The token's own expiry (ms since epoch): past it the token is refused, cached or not. */
  expiresAt: number;
  storedAt: number;
}

/**
 * Bearer tokens this node has resolved, by token hash: member clients poll (status, history)
 * every second or two, and reading the token and its user twice per poll was most of a poll's
 * database work. Correctness does not rest on time: a revoked token, or a user whose role
 * changed, is dropped when the change is announced on the event bus (identity-changes.ts), on
 * every node. `maxAgeMs` only bounds what a notice lost with a broken Redis connection could
 * leave behind.
 *
 * A load that overlaps an invalidation is not remembered (`mark` before reading, `put` with the
 * mark): it may have read the row from before the change.
 */
export class AccessTokenCache {
  private readonly entries = new Map<string, CachedToken>();
  private generation = 0;

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly maxEntries = 50_000,
  ) {}

  get(tokenHash: string, now: number): Actor | undefined {
    const hit = this.entries.get(tokenHash);
    if (!hit) return undefined;
    if (hit.expiresAt <= now || now - hit.storedAt >= this.maxAgeMs) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return hit.actor;
  }

  /** Taken before the database is read; `put` ignores the load if anything was invalidated since. */
  mark(): number {
    return this.generation;
  }

  put(tokenHash: string, actor: Actor, expiresAt: number, now: number, mark: number): void {
    if (mark !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(tokenHash, { actor, expiresAt, storedAt: now });
  }

  forgetTokens(tokenHashes: readonly string[]): void {
    this.generation += 1;
    for (const hash of tokenHashes) this.entries.delete(hash);
  }

  forgetUsers(userIds: readonly string[]): void {
    this.generation += 1;
    const users = new Set(userIds);
    for (const [hash, entry] of this.entries) if (users.has(entry.actor.id)) this.entries.delete(hash);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
