import type { AccountHealthEvent } from '../accounts/account-pool.service.js';
import type { Alert } from './alert.types.js';

/** What staff need to recognise the account; its credential never goes into an alert. */
export interface AlertedAccount {
  name: string;
  provider: string;
}

/**
 * The alert an account health event calls for, or null: an expired session (the account is out
 * until staff update it), a generation type out of points (back at the quota reset), and a
 * cooldown once it has repeated `cooldownLevel` times in a row (one rate limit is routine).
 */
export function accountHealthAlert(
  event: AccountHealthEvent,
  account: AlertedAccount | null,
  options: { cooldownLevel: number; now: Date },
): Alert | null {
  const who = account ? `${account.provider} account ${account.name}` : `account ${event.accountId}`;
  const base = { accountId: event.accountId, account: account?.name, provider: account?.provider };
  switch (event.problem) {
    case 'session_expired':
      return {
        type: 'account_invalid',
        condition: `account_invalid:${event.accountId}`,
        severity: 'critical',
        message: `${who} is invalid: its session expired, update the session id`,
        details: base,
        at: options.now,
      };
    case 'out_of_credits':
      return {
        type: 'account_exhausted',
        condition: `account_exhausted:${event.accountId}:${event.kind}`,
        severity: 'warning',
        message: `${who} is out of points for ${event.kind} generation until its quota reset`,
        details: { ...base, kind: event.kind },
        at: options.now,
      };
    case 'cooling_down':
      if (event.cooldownLevel < options.cooldownLevel) return null;
      return {
        type: 'account_cooldown',
        condition: `account_cooldown:${event.accountId}`,
        severity: 'warning',
        message: `${who} was rate limited ${event.cooldownLevel} times in a row; cooling down until ${event.until.toISOString()}`,
        details: { ...base, cooldownLevel: event.cooldownLevel, until: event.until.toISOString() },
        at: options.now,
      };
  }
}
