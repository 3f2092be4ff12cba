/** Free points Jimeng grants each day (per the gateways' READMEs). */
export const JIMENG_DAILY_CREDIT = 66;

const REGION_PREFIX = /^(us|hk|jp|sg)-/i;

export interface JimengAccount {
  /** Normalised session id: region prefix lower-cased, e.g. `us-abc123`. */
  token: string;
  region: 'cn' | 'us' | 'hk' | 'jp' | 'sg';
  live: boolean;
  giftCredit: number;
  purchaseCredit: number;
  vipCredit: number;
  /** Whether today's free points were already claimed (a new account has claimed them). */
  dailyReceived: boolean;
  /** Requests this session may have in flight; null = unlimited. */
  concurrencyLimit: number | null;
}

export interface JimengAccountPatch {
  live?: boolean;
  /** Shorthand: sets giftCredit to this and the other balances to 0. */
  points?: number;
  giftCredit?: number;
  purchaseCredit?: number;
  vipCredit?: number;
  dailyReceived?: boolean;
  concurrencyLimit?: number | null;
}

/** `US-abc` and `us-abc` are the same Dreamina session; the gateway lower-cases the prefix. */
export function normalizeJimengToken(token: string): string {
  const trimmed = token.trim();
  return REGION_PREFIX.test(trimmed) ? trimmed.slice(0, 3).toLowerCase() + trimmed.slice(3) : trimmed;
}

export function totalCredit(account: JimengAccount): number {
  return account.giftCredit + account.purchaseCredit + account.vipCredit;
}

/** Per-session state of the simulated Jimeng accounts. */
export class JimengAccountStore {
  private readonly accounts = new Map<string, JimengAccount>();

  /** Any unknown session starts live with today's 66 points — except demo ids starting `expired`. */
  get(rawToken: string): JimengAccount {
    const token = normalizeJimengToken(rawToken);
    let account = this.accounts.get(token);
    if (!account) {
      const region = (REGION_PREFIX.exec(token)?.[1]?.toLowerCase() ?? 'cn') as JimengAccount['region'];
      const session = region === 'cn' ? token : token.slice(3);
      account = {
        token,
        region,
        live: !/^expired/i.test(session),
        giftCredit: JIMENG_DAILY_CREDIT,
        purchaseCredit: 0,
        vipCredit: 0,
        dailyReceived: true,
        concurrencyLimit: null,
      };
      this.accounts.set(token, account);
    }
    return account;
  }

  set(rawToken: string, patch: JimengAccountPatch): JimengAccount {
    const account = this.get(rawToken);
    if (patch.points !== undefined) {
      Object.assign(account, { giftCredit: patch.points, purchaseCredit: 0, vipCredit: 0 });
    }
    for (const key of [
      'live',
      'giftCredit',
      'purchaseCredit',
      'vipCredit',
      'dailyReceived',
      'concurrencyLimit',
    ] as const) {
      if (patch[key] !== undefined) Object.assign(account, { [key]: patch[key] });
    }
    return account;
  }

  /** Takes `cost` points: free ones first, then purchased, then VIP. */
  spend(account: JimengAccount, cost: number): void {
    let left = cost;
    for (const key of ['giftCredit', 'purchaseCredit', 'vipCredit'] as const) {
      const take = Math.min(account[key], left);
      account[key] -= take;
      left -= take;
    }
  }

  /** Claims today's free points; false when they were already claimed. */
  receive(account: JimengAccount): boolean {
    if (account.dailyReceived) return false;
    account.dailyReceived = true;
    account.giftCredit += JIMENG_DAILY_CREDIT;
    return true;
  }

  /** A new day: every session may claim its free points again. */
  newDay(): void {
    for (const account of this.accounts.values()) account.dailyReceived = false;
  }

  list(): JimengAccount[] {
    return [...this.accounts.values()].map((account) => ({ ...account }));
  }

  clear(): void {
    this.accounts.clear();
  }
}
