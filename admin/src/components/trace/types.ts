/** GET /api/v1/admin/trace's answer (core/src/trace/trace.types.ts), as the page reads it. */
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

export interface TraceAttempt {
  scope: string;
  attempts: number;
  status: string;
  credential: 'pool' | 'caller' | 'service';
  account: TraceAccount | null;
  key_mask: string | null;
  error: string | null;
}

export interface TraceError {
  where: string;
  code: string | null;
  class: string | null;
  member_code: string | null;
  message: string;
}

export interface TraceEvent {
  at: string;
  kind: 'created' | 'started' | 'output' | 'credits' | 'finished' | 'audit' | 'record';
  text: string;
}

export interface TraceAuditEntry {
  id: string;
  actor_name: string | null;
  action: string;
  target_kind: string;
  target_id: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

export interface TraceView {
  query: string;
  matched: { kind: 'generation' | 'jimeng_record' | 'nanobanana_image' | 'media'; id: string };
  task: Record<string, string | number | null> | null;
  jimeng_record: Record<string, string | number | boolean | null> | null;
  outputs: Array<{ id: string; position: number; url: string; thumbnail_url: string | null; mime: string }>;
  attempts: TraceAttempt[];
  errors: TraceError[];
  credits: {
    charged: number;
    refunded: number;
    granted: number;
    net: number;
    entries: Array<{ id: string; kind: string; amount: number; note: string | null; created_at: string }>;
  };
  user: {
    id: string;
    username: string | null;
    display_name: string | null;
    role: string;
    identities: Array<{ provider: string; subject: string; display_name: string | null }>;
  } | null;
  audit: TraceAuditEntry[];
  timeline: TraceEvent[];
}
