/** Contract 003 account status values (account_status). */
export const AccountStatus = { normal: 0, invalid: 1, coolingDown: 2, disabled: 3 } as const;

/** Dreamina regions an overseas session can belong to (PROVIDERS.md §1). China-site sessions use '0'. */
export const OVERSEAS_SITES = ['hk', 'us', 'jp', 'sg'] as const;
export type SiteType = '0' | (typeof OVERSEAS_SITES)[number];

/** One account as contract 003 §5.3 lists it, plus the pool's health fields; session_id is masked. */
export interface JimengAccountView {
  id: string;
  jimeng_account: string;
  jimeng_account_type: number;
  session_id: string;
  site_type: string | number;
  account_status: number;
  image_generation_status: number;
  video_generation_status: number;
  image_count: number;
  video_count: number;
  quota_reset_time: string | null;
  create_time: string | null;
  update_time: string | null;
  priority: number;
  max_concurrent: number;
  in_flight: number;
  credits: number | null;
  credits_checked_time: string | null;
  status_reason: string | null;
  last_error: string | null;
  last_error_time: string | null;
  cooldown_until: string | null;
  /** The zoned times above as ISO 8601 instants (see isoInstant), for the admin. */
  quota_reset_time_iso: string | null;
  create_time_iso: string | null;
  update_time_iso: string | null;
  credits_checked_time_iso: string | null;
  last_error_time_iso: string | null;
  cooldown_until_iso: string | null;
}

export interface AccountInput {
  jimeng_account?: string;
  jimeng_account_type?: number;
  session_id?: string;
  site_type?: string;
  priority?: number;
  max_concurrent?: number;
  account_status?: number;
}
