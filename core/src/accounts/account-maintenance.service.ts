import type { AccountRepository, AccountRow } from './account.repository.js';
import type { JimengGatewayClient } from '../adapters/providers/jimeng/jimeng-gateway.client.js';
import { NotFoundError } from '../errors.js';
import { isAdmin, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../shared/logger.js';
import type { SecretBox } from '../shared/secret-box.js';
import { nextQuotaReset } from '../shared/zoned-time.js';
import { AccountStatus } from './jimeng-account.types.js';

interface Deps {
  /** Where accounts are stored (the Sequelize adapter account.repository.ts). */
  accounts: AccountRepository;
  gateway: JimengGatewayClient;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  quota: { resetTime: string; timeZone: string };
  creditsRefreshMs: number;
}

/** Scheduled job that keeps the pool honest: quota resets and credit reads. */
export const MAINTENANCE_JOB = 'jimeng-maintenance';

/**
 * Daily quota resets at each account's quota_reset_time, periodic credit reads from the
 * gateway's /token/points, and "test now" for staff.
 */
export class AccountMaintenanceService {
  constructor(private readonly deps: Deps) {}

  /** Accounts whose reset time has passed get generation back on, counts cleared, next reset set. */
  async resetDueQuotas(): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.accounts.quotaResetsDue('jimeng', now);
    for (const account of due) {
      const outOfPoints = account.status_reason?.startsWith('Out of points') ?? false;
      await this.deps.accounts.change(account, {
        image_generation_status: 1,
        video_generation_status: 1,
        image_count: 0,
        video_count: 0,
        quota_reset_time: nextQuotaReset(now, this.deps.quota.resetTime, this.deps.quota.timeZone),
        ...(outOfPoints ? { status_reason: null } : {}),
        update_time: now,
      });
    }
    if (due.length) this.deps.logger.info({ accounts: due.length }, 'daily quota reset');
    return due.length;
  }

  /** Reads in progress per account: a burst of failures for points asks the gateway once. */
  private readonly creditReads = new Map<string, Promise<boolean>>();

  /**
   * Re-reads credits, oldest read first (one at a time: gateways are slow): accounts never read,
   * accounts used since their last read (a spent point changes them, so the maintenance job keeps
   * busy accounts current every run), and idle ones not read within the refresh interval.
   */
  async refreshStaleCredits(limit = 20): Promise<number> {
    const staleBefore = new Date(this.deps.clock.now().getTime() - this.deps.creditsRefreshMs);
    const stale = await this.deps.accounts.creditsStale('jimeng', staleBefore, limit);
    let refreshed = 0;
    for (const account of stale) if (await this.readCredits(account)) refreshed += 1;
    return refreshed;
  }

  /**
   * Reads one account's credits now; the pool asks for this when a generation type runs out of
   * points, so the list shows what is left (usually 0) at once, not at the next scheduled read.
   */
  async refreshCredits(accountId: string): Promise<boolean> {
    const account = await this.deps.accounts.findLive(accountId, { provider: 'jimeng' });
    return account ? this.readCredits(account) : false;
  }

  private readCredits(account: AccountRow): Promise<boolean> {
    const pending = this.creditReads.get(account.id);
    if (pending) return pending;
    const read = (async () => {
      // Stamped with the time the read began: a call ending meanwhile still counts as newer.
      const started = this.deps.clock.now();
      try {
        const points = await this.deps.gateway.points(
          this.deps.secrets.open(account.secret_enc),
          AbortSignal.timeout(15_000),
        );
        await this.deps.accounts.change(account, {
          credits: points?.totalCredit ?? null,
          credits_checked_at: started,
        });
        return true;
      } catch (error) {
        await this.deps.accounts.change(account, { credits_checked_at: started });
        this.deps.logger.warn(
          { accountId: account.id, err: (error as Error).message },
          'credit refresh failed',
        );
        return false;
      } finally {
        this.creditReads.delete(account.id);
      }
    })();
    this.creditReads.set(account.id, read);
    return read;
  }

  /** "Test now": checks the session and reads credits; a live session clears an invalid mark. */
  async testAccount(actor: Actor, id: string) {
    const account = await this.deps.accounts.findLive(
      id,
      isAdmin(actor) ? { provider: 'jimeng' } : { provider: 'jimeng', ownerId: actor.id },
    );
    if (!account) throw new NotFoundError('Account');
    const secret = this.deps.secrets.open(account.secret_enc);
    const now = this.deps.clock.now();
    try {
      const live = await this.deps.gateway.checkSession(secret, AbortSignal.timeout(15_000));
      const points = live ? await this.deps.gateway.points(secret, AbortSignal.timeout(15_000)) : null;
      await this.deps.accounts.change(account, {
        credits: points?.totalCredit ?? account.credits ?? null,
        credits_checked_at: now,
        ...(live
          ? account.account_status === AccountStatus.invalid
            ? { account_status: AccountStatus.normal, status_reason: null }
            : {}
          : {
              account_status: AccountStatus.invalid,
              status_reason: 'Session expired (test): update the session id',
              last_error: 'session_expired: test failed',
              last_error_at: now,
            }),
        update_time: now,
      });
      return { live, credits: points, message: live ? 'Session is live' : 'Session expired' };
    } catch (error) {
      return { live: false, credits: null, message: `Gateway error: ${(error as Error).message}` };
    }
  }
}
