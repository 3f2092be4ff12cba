import type { Clock } from '../ports/clock.port.js';
import type { ProviderError } from '../ports/image-provider.port.js';
import { GroupCommit } from '../shared/group-commit.js';
import type { Logger } from '../shared/logger.js';
import type { AccountRepository, GenerationKind } from './account.repository.js';
import type { AccountHealthEvent } from './account-pool.types.js';
import { AccountStatus } from './jimeng-account.types.js';

interface Deps {
  accounts: AccountRepository;
  clock: Clock;
  logger: Logger;
  /** The account's state changed: the pool's cached eligible accounts are stale. */
  stateChanged(): void;
}

/** Cooldown after a rate limit grows 1, 2, 4, … minutes up to an hour. */
export function cooldownMs(level: number): number {
  return Math.min(60, 2 ** level) * 60_000;
}

/**
 * What each provider call's outcome means for its account: successes are counted (and close a
 * cooled-down account's circuit), failures are classified (PROVIDERS.md) into session expired, out
 * of points, cooling down or nothing, and announced to the listeners (staff alerts, credit reads).
 */
export class AccountHealthReports {
  /** Success counts of one burst are written as one increment per account (each caller still waits for its own). */
  private readonly successes = new GroupCommit<'success', { accountId: string; kind: GenerationKind }, void>(
    (_, items) => this.countSuccesses(items),
  );

  /** Called after a generation type of an account ran out of points (see onOutOfCredits). */
  private readonly outOfCreditsListeners: Array<(accountId: string) => void> = [];

  /** Called after a failure took an account out of service (see onAccountHealth). */
  private readonly accountHealthListeners: Array<(event: AccountHealthEvent) => void> = [];

  constructor(private readonly deps: Deps) {}

  /** Runs `listener` (not awaited) each time an account is found out of points for image or video work. */
  onOutOfCredits(listener: (accountId: string) => void): void {
    this.outOfCreditsListeners.push(listener);
  }

  /**
   * Runs `listener` (not awaited; it must not throw) each time an account's session expires, a
   * generation type runs out of points, or a rate limit cools it down (with the level reached, so
   * the listener decides when repeated cooldowns matter). Staff alerts listen here.
   */
  onAccountHealth(listener: (event: AccountHealthEvent) => void): void {
    this.accountHealthListeners.push(listener);
  }

  private announceHealth(event: AccountHealthEvent): void {
    for (const listener of this.accountHealthListeners) listener(event);
  }

  private async countSuccesses(items: Array<{ accountId: string; kind: GenerationKind }>): Promise<void> {
    const totals = new Map<string, { accountId: string; kind: GenerationKind; count: number }>();
    for (const { accountId, kind } of items) {
      const key = `${accountId}:${kind}`;
      const total = totals.get(key) ?? { accountId, kind, count: 0 };
      total.count += 1;
      totals.set(key, total);
    }
    // last_used_at marks the account's credits as worth reading again (AccountMaintenanceService).
    const now = this.deps.clock.now();
    await Promise.all(
      [...totals.values()].map(({ accountId, kind, count }) =>
        this.deps.accounts.countUses(accountId, kind, count, now),
      ),
    );
  }

  /** Counts the success; a successful trial request (half-open) closes a cooled-down account's circuit. */
  async reportSuccess(accountId: string, kind: GenerationKind, halfOpen = true): Promise<void> {
    await this.successes.add('success', { accountId, kind });
    if (!halfOpen) return;
    this.deps.stateChanged();
    await this.deps.accounts.closeCircuit(accountId);
  }

  /** Applies PROVIDERS.md's classification to the account; content and parameter errors never blame it. */
  async reportFailure(accountId: string, kind: GenerationKind, error: ProviderError): Promise<void> {
    const { accounts } = this.deps;
    const now = this.deps.clock.now();
    const message = `${error.kind}: ${error.message}`.slice(0, 1024);
    this.deps.stateChanged();
    const base = { last_error: message, last_error_at: now, update_time: now };
    switch (error.kind) {
      case 'session_expired': {
        const changed = await accounts.updateById(accountId, {
          ...base,
          account_status: AccountStatus.invalid,
          status_reason: 'Session expired: update the session id',
        });
        if (changed) this.announceHealth({ accountId, problem: 'session_expired' });
        break;
      }
      case 'out_of_credits': {
        const changed = await accounts.updateById(accountId, {
          ...base,
          [kind === 'image' ? 'image_generation_status' : 'video_generation_status']: 0,
          status_reason: `Out of points for ${kind} generation until the quota reset`,
          // Its credits are news now: the next maintenance run reads them if nobody does sooner.
          credits_checked_at: null,
        });
        if (changed) {
          for (const listener of this.outOfCreditsListeners) listener(accountId);
          this.announceHealth({ accountId, problem: 'out_of_credits', kind });
        }
        break;
      }
      case 'rate_limited': {
        const account = await accounts.byId(accountId);
        const level = account?.cooldown_level ?? 0;
        const until = new Date(now.getTime() + cooldownMs(level));
        const changed = await accounts.updateById(accountId, {
          ...base,
          account_status: AccountStatus.coolingDown,
          cooldown_level: level + 1,
          cooldown_until: until,
          status_reason: `Rate limited (${error.message.slice(0, 80)}): cooling down until ${until.toISOString()}`,
        });
        if (changed)
          this.announceHealth({ accountId, problem: 'cooling_down', cooldownLevel: level + 1, until });
        break;
      }
      case 'invalid_request':
      case 'content_blocked':
      case 'bad_input_file':
        break; // the account did nothing wrong
      default:
        await accounts.updateById(accountId, base);
    }
    this.deps.logger.warn(
      { accountId, kind: error.kind, upstreamCode: error.upstreamCode },
      'provider call failed',
    );
  }
}
