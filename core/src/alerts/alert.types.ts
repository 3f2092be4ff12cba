/** What an alert is about; the `json` format sends it as `type`. */
export type AlertType =
  'account_invalid' | 'account_exhausted' | 'account_cooldown' | 'pool_low' | 'failure_rate';

export type AlertSeverity = 'warning' | 'critical';

/** One notification to staff, before it is shaped for a receiver (see alert-formats.ts). */
export interface Alert {
  type: AlertType;
  /**
   * The condition it reports, e.g. `account_invalid:<accountId>` or `pool_low:image`: staff hear of
   * each condition once per ALERT_DEDUP_MS however many events repeat it (see alert-dedup.ts).
   */
  condition: string;
  severity: AlertSeverity;
  /** One line a person reads in a chat. */
  message: string;
  details: Record<string, unknown>;
  at: Date;
}
