/**
 * The staff trace's read port: everything one trace looks up, across the generation, media,
 * Jimeng studio, accounts, credits, NanoBanana and identity tables. Reads only; each method is one
 * query of the ones TraceService ran itself before the port (the Sequelize adapter trace.repository.ts).
 */
import type { AccountRow } from '../accounts/account.repository.js';
import type {
  FanOutItemRecord,
  GenerationTaskRecord,
  ProviderJobRecord,
} from '../generation/engine/repositories.js';
import type { JimengRecord } from '../jimeng/jimeng.repository.js';
import type { MediaAssetRecord } from '../media/media-asset.js';

/** A provider account as a trace reads it (TraceAccount masks it further). */
export type TracedAccount = Pick<
  AccountRow,
  'id' | 'name' | 'provider' | 'site_type' | 'secret_mask' | 'account_status' | 'status_reason' | 'last_error'
>;

/** One credits ledger entry of the task. */
export interface TracedLedgerEntry {
  id: string;
  kind: string;
  amount: number;
  balance_after: number;
  actor_id: string | null;
  note: string | null;
  created_at: Date;
}

/** A 004 task's owner (`nanobanana_tasks`). */
export interface TracedNanobananaTask {
  task_id: string;
  owner_key: string;
}

export interface TracedUser {
  id: string;
  username: string | null;
  display_name: string | null;
  role: string;
}

/** A member's platform identity (discord:1234…); never its secret hash. */
export interface TracedIdentity {
  provider: string;
  subject: string;
  display_name: string | null;
}

export interface TraceRepository {
  task(id: string): Promise<GenerationTaskRecord | null>;
  /** The task whose upstream job (kie) has this id. */
  providerJobByUpstream(upstreamId: string): Promise<ProviderJobRecord | null>;
  providerJobs(taskId: string): Promise<ProviderJobRecord[]>;
  jimengRecord(id: string): Promise<JimengRecord | null>;
  jimengRecordOfTask(taskId: string): Promise<JimengRecord | null>;
  nanobananaTask(taskId: string): Promise<TracedNanobananaTask | null>;

  media(id: string): Promise<MediaAssetRecord | null>;
  mediaByStorageKey(key: string): Promise<MediaAssetRecord | null>;
  mediaByThumbnailKey(key: string): Promise<MediaAssetRecord | null>;
  /** The task's stored outputs by position. */
  outputs(taskId: string): Promise<MediaAssetRecord[]>;

  accounts(ids: string[]): Promise<TracedAccount[]>;
  /** The caller's sealed key the task runs with (004), or null on pool accounts. */
  sealedCredential(taskId: string): Promise<string | null>;
  /** The task's 004 positions by position; with `failedOnly`, those with an error message. */
  items(taskId: string, options?: { failedOnly?: boolean }): Promise<FanOutItemRecord[]>;
  /** The task's credit ledger entries, oldest first. */
  ledger(taskId: string): Promise<TracedLedgerEntry[]>;

  user(id: string): Promise<TracedUser | null>;
  /** The user's identities, oldest first. */
  identities(userId: string): Promise<TracedIdentity[]>;
}
