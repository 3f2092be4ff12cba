import type { ProviderName } from './sandbox.types.js';

/** Name used in stats for requests that carried no credential at all. */
export const NO_CREDENTIAL = '(none)';

export interface SandboxStats {
  /** calls[provider][credential][endpoint] = number of requests received. */
  calls: Record<string, Record<string, Record<string, number>>>;
  /** maxConcurrent[provider][credential] = most requests in flight at once (rejected ones included). */
  maxConcurrent: Record<string, Record<string, number>>;
  /** inFlight[provider][credential] = requests being handled right now. */
  inFlight: Record<string, Record<string, number>>;
  kieCallbacks: { delivered: number; failed: number; suppressed: number };
}

/** Counters that let tests assert what the adapters actually did. */
export class StatsStore {
  private calls = new Map<string, number>();
  private inFlight = new Map<string, number>();
  private peak = new Map<string, number>();
  readonly kieCallbacks = { delivered: 0, failed: 0, suppressed: 0 };

  record(provider: ProviderName, credential: string | undefined, endpoint: string): void {
    const key = JSON.stringify([provider, credential ?? NO_CREDENTIAL, endpoint]);
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  /** Marks a request in flight; returns how many are in flight for that credential now. */
  enter(provider: ProviderName, credential: string | undefined): number {
    const key = JSON.stringify([provider, credential ?? NO_CREDENTIAL]);
    const now = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, now);
    this.peak.set(key, Math.max(this.peak.get(key) ?? 0, now));
    return now;
  }

  leave(provider: ProviderName, credential: string | undefined): void {
    const key = JSON.stringify([provider, credential ?? NO_CREDENTIAL]);
    const now = (this.inFlight.get(key) ?? 1) - 1;
    if (now <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, now);
  }

  /** Calls so far, optionally narrowed to one credential and/or endpoint. */
  count(provider: ProviderName, credential?: string, endpoint?: string): number {
    let total = 0;
    for (const [key, value] of this.calls) {
      const [p, c, e] = JSON.parse(key) as [string, string, string];
      if (
        p === provider &&
        (credential === undefined || c === credential) &&
        (endpoint === undefined || e === endpoint)
      ) {
        total += value;
      }
    }
    return total;
  }

  snapshot(): SandboxStats {
    const calls: SandboxStats['calls'] = {};
    for (const [key, value] of this.calls) {
      const [provider, credential, endpoint] = JSON.parse(key) as [string, string, string];
      ((calls[provider] ??= {})[credential] ??= {})[endpoint] = value;
    }
    return {
      calls,
      maxConcurrent: nest(this.peak),
      inFlight: nest(this.inFlight),
      kieCallbacks: { ...this.kieCallbacks },
    };
  }

  reset(): void {
    this.calls.clear();
    this.peak.clear();
    // In-flight requests are still running; keep their counts so leave() stays balanced.
    for (const [key, value] of this.inFlight) this.peak.set(key, value);
    Object.assign(this.kieCallbacks, { delivered: 0, failed: 0, suppressed: 0 });
  }
}

function nest(map: Map<string, number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [key, value] of map) {
    const [provider, credential] = JSON.parse(key) as [string, string];
    (out[provider] ??= {})[credential] = value;
  }
  return out;
}
