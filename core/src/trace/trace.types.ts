import type { AuditEntryView } from '../audit/audit-log.js';

/** A provider account as a trace shows it: the session only as its mask. */
export interface TraceAccount {
  id: string;
  name: string;
  provider: string;
  site_type: string;
  session_mask: string;
  account_status: number;
  status_reason: string | null;
  last_error: string | null;
}

/** One place work ran: the task as a whole, one output position (004 fan-out), or an upstream job (kie). */
export interface TraceAttempt {
  scope: string;
  attempts: number;
  status: string;
  /** `pool`: a pool account's session; `caller`: the caller's own key (004); `service`: a configured key. */
  credential: 'pool' | 'caller' | 'service';
  account: TraceAccount | null;
  key_mask: string | null;
  error: string | null;
}

export interface TraceError {
  where: string;
  /** Stored code (PROVIDER_<CLASS>, GENERATION_FAILED, …). */
  code: string | null;
  /** The provider failure class (session_expired, rate_limited, content_blocked, …) when known. */
  class: string | null;
  /** What the member was told. */
  member_code: string | null;
  /** The provider's own text, for staff. */
  message: string;
}

export interface TraceLedgerEntry {
  id: string;
  kind: string;
  amount: number;
  balance_after: number;
  actor_id: string | null;
  note: string | null;
  created_at: string;
}

export interface TraceEvent {
  at: string;
  kind: 'created' | 'started' | 'output' | 'credits' | 'finished' | 'audit' | 'record';
  text: string;
}

export interface TraceView {
  query: string;
  matched: { kind: 'generation' | 'jimeng_record' | 'nanobanana_image' | 'media'; id: string };
  task: Record<string, unknown> | null;
  jimeng_record: Record<string, unknown> | null;
  nanobanana: { task_id: string; owner_key: string } | null;
  outputs: Array<Record<string, unknown>>;
  attempts: TraceAttempt[];
  errors: TraceError[];
  credits: { charged: number; refunded: number; granted: number; net: number; entries: TraceLedgerEntry[] };
  user: {
    id: string;
    username: string | null;
    display_name: string | null;
    role: string;
    identities: Array<{ provider: string; subject: string; display_name: string | null }>;
  } | null;
  audit: AuditEntryView[];
  timeline: TraceEvent[];
}
