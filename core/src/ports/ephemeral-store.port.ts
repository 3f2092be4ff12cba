/** Short-lived shared state: one-time values (login nonces) and fixed-window rate limits. */
export interface EphemeralStore {
  /** Stores a value that expires after `ttlMs`, replacing any earlier one under the key. */
  put(key: string, value: string, ttlMs: number): Promise<void>;
  /** Reads and deletes atomically: a value can be taken once. */
  take(key: string): Promise<string | null>;
  /** Counts a hit in the current window; returns the count so far and ms until the window resets. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
}
