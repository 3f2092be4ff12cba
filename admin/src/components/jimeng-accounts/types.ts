/** One row of `GET /api/v1/jimeng/accounts/list` (contract 003 §5.3 plus Dreamloom's health fields). */
export interface JimengAccount {
  id: string;
  jimeng_account: string;
  /** 0 China, 1 overseas. */
  jimeng_account_type: AccountType;
  /** Masked by the server, e.g. `abcd…wxyz`; never the real session id. */
  session_id: string;
  /** 0 China (jimeng.jianying.com) or an overseas Dreamina region. */
  site_type: SiteType;
  /** 0 normal, 1 invalid (session expired), 2 cooling down, 3 disabled. */
  account_status: AccountStatus;
  /** 1 on, 0 off (out of points until quota reset). */
  image_generation_status: 0 | 1;
  video_generation_status: 0 | 1;
  image_count: number;
  video_count: number;
  quota_reset_time: string | null;
  create_time: string;
  update_time: string;
  /** The same instants as ISO 8601 (`…_iso`): what the admin shows, in the staff member's zone. */
  quota_reset_time_iso?: string | null;
  create_time_iso?: string | null;
  credits_checked_time_iso?: string | null;
  last_error_time_iso?: string | null;
  cooldown_until_iso?: string | null;
  /** Higher first when the scheduler picks an account. */
  priority?: number;
  /** Per-account concurrency limit; `in_flight` counts the jobs holding a lease now. */
  max_concurrent?: number;
  in_flight?: number;
  credits?: number | null;
  credits_checked_time?: string | null;
  /** Why the scheduler set the current status (e.g. rate limited), and until when it cools down. */
  status_reason?: string | null;
  cooldown_until?: string | null;
  last_error?: string | null;
  last_error_time?: string | null;
  [extra: string]: unknown;
}

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
