import type { Clock } from '../ports/clock.port.js';
import type { AccountRepository, AccountRow, GenerationKind } from './account.repository.js';

const ELIGIBLE_CACHE_MS = 1000;

/**
 * The pool's eligible accounts per provider and kind, cached for a second: under load every
 * waiting task asks on every freed slot, and the database would otherwise answer the same question
 * hundreds of times a second. State changes made in this process clear the cache at once (`forget`);
 * other nodes' within a second.
 */
export class EligibleAccounts {
  private readonly cache = new Map<string, { rows: AccountRow[]; expires: number }>();
  /** Reads in progress, shared: a burst of tasks starting at once asks the database once, not once each. */
  private readonly loads = new Map<string, Promise<AccountRow[]>>();

  constructor(private readonly deps: { accounts: AccountRepository; clock: Clock }) {}

  async get(provider: string, kind: GenerationKind): Promise<AccountRow[]> {
    const key = `${provider}:${kind}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires > Date.now()) return cached.rows;
    const loading = this.loads.get(key);
    if (loading) return loading;
    const load = this.deps.accounts
      .eligible(provider, kind, { exclude: [], now: this.deps.clock.now(), limit: 500 })
      .then((rows) => {
        // A state change made while this read ran cleared the loads; its rows may predate it.
        if (this.loads.get(key) === load)
          this.cache.set(key, { rows, expires: Date.now() + ELIGIBLE_CACHE_MS });
        return rows;
      })
      .finally(() => {
        if (this.loads.get(key) === load) this.loads.delete(key);
      });
    this.loads.set(key, load);
    return load;
  }

  /** The cached list if it is still fresh, without reading (undefined otherwise). */
  fresh(provider: string, kind: GenerationKind): AccountRow[] | undefined {
    const listed = this.cache.get(`${provider}:${kind}`);
    return listed && listed.expires > Date.now() ? listed.rows : undefined;
  }

  forget(): void {
    this.cache.clear();
    this.loads.clear();
  }
}
