import type { JimengAccountView } from '@dreamloom/contracts';

/** One row of `GET /api/v1/jimeng/accounts/list` (contract 003 §5.3 plus Dreamloom's health fields). */
export type JimengAccount = JimengAccountView;

export type AccountType = 0 | 1;
export type AccountStatus = 0 | 1 | 2 | 3;
/** The server may send China as `0` or `'0'`. */
export type SiteType = 0 | '0' | 'hk' | 'us' | 'jp' | 'sg';

export const ACCOUNT_TYPES: readonly AccountType[] = [0, 1];
export const ACCOUNT_STATUSES: readonly AccountStatus[] = [0, 1, 2, 3];
export const SITE_TYPES: readonly SiteType[] = [0, 'hk', 'us', 'jp', 'sg'];
export const OVERSEAS_SITES: readonly SiteType[] = ['hk', 'us', 'jp', 'sg'];

/** Fields staff send to create; the server derives site, quota reset and owner. */
export interface AccountCreateInput {
  jimeng_account: string;
  jimeng_account_type: AccountType;
  session_id: string;
  priority?: number;
  max_concurrent?: number;
}

/** The server rejects shorter session ids; checking here saves a round trip. */
export const MIN_SESSION_ID_LENGTH = 8;

/** Fields staff may change; only the changed ones are sent. */
export interface AccountUpdateInput {
  jimeng_account?: string;
  jimeng_account_type?: AccountType;
  session_id?: string;
  site_type?: SiteType;
  priority?: number;
  max_concurrent?: number;
}
