/** The account pool's vocabulary: lease options and leases, strategies, and health events. */
import type { GenerationKind } from './account.repository.js';

export type { GenerationKind } from './account.repository.js';

/** A provider failure that took an account (or one of its generation types) out of service. */
export type AccountHealthEvent =
  | { accountId: string; problem: 'session_expired' }
  | { accountId: string; problem: 'out_of_credits'; kind: GenerationKind }
  /** `cooldownLevel` counts the cooldowns in a row (1 the first time); only a success resets it. */
  | { accountId: string; problem: 'cooling_down'; cooldownLevel: number; until: Date };

/** Contract 003 §11.1 load_balance values. */
export const ACCOUNT_STRATEGIES = ['round_robin', 'least_used', 'priority'] as const;
export type AccountStrategy = (typeof ACCOUNT_STRATEGIES)[number];

/** Contract 003 §11.1 rate_limit_handling values. */
export const RATE_LIMIT_HANDLING = ['wait', 'skip', 'switch_on_limit'] as const;
export type RateLimitHandling = (typeof RATE_LIMIT_HANDLING)[number];

export interface AccountLease {
  accountId: string;
  accountName: string;
  siteType: string;
  /** The decrypted credential; never log it. */
  secret: string;
  /** A cooled-down account on its trial request: success closes its circuit. */
  halfOpen: boolean;
  /**
   * Frees the slot. With `handOver` (after a successful call, when the account is known good), a
   * task of this process waiting for a slot it can use gets this one directly — no Redis round
   * trips between one call ending and the next starting on the account.
   */
  release(options?: { handOver?: boolean }): Promise<void>;
}

export interface LeaseOptions {
  exclude?: string[];
  strategy?: AccountStrategy;
  /** Overrides an account's own max_concurrent (contract 003's max_concurrent_per_account). */
  maxConcurrentPerAccount?: number;
}
