/**
 * The accounts aggregate's port: where provider accounts (`provider_accounts`) are stored. The pool,
 * the staff account service and pool upkeep read and write accounts only through it, so none of
 * them sees Sequelize. The Sequelize adapter `account.repository.ts` implements it for the database;
 * `testing/in-memory-account.repository.ts` keeps rows in memory for fast unit tests.
 *
 * Rows a method returns may be handed back to {@link AccountRepository.change} or
 * {@link AccountRepository.saveLastUsed}: the database adapter answers model instances and writes
 * only the columns that changed, as the services did before the port existed.
 */

export type GenerationKind = 'image' | 'video';

/** One stored provider account, as migration 0001 (and later ones) define its columns. */
export interface AccountRow {
  id: string;
  provider: string;
  name: string;
  account_type: number;
  site_type: string;
  secret_enc: string;
  secret_mask: string;
  /** HMAC of the normalised session id while the account is live (null once deleted); unique per provider. */
  session_hash: string | null;
  account_status: number;
  image_generation_status: number;
  video_generation_status: number;
  image_count: number;
  video_count: number;
  priority: number;
  weight: number;
  max_concurrent: number;
  quota_reset_time: Date;
  credits: number | null;
  credits_checked_at: Date | null;
  status_reason: string | null;
  last_error: string | null;
  last_error_at: Date | null;
  cooldown_until: Date | null;
  cooldown_level: number;
  last_used_at: Date | null;
  is_deleted: boolean;
  create_by: string | null;
  update_by: string | null;
  create_time: Date;
  update_time: Date;
}

/** The columns a staff create gives; the others take their defaults. */
export type NewAccountRow = Pick<
  AccountRow,
  | 'id'
  | 'provider'
  | 'name'
  | 'account_type'
  | 'site_type'
  | 'secret_enc'
  | 'secret_mask'
  | 'priority'
  | 'max_concurrent'
  | 'quota_reset_time'
  | 'create_by'
  | 'update_by'
  | 'create_time'
  | 'update_time'
> & { session_hash: string | null };

export type AccountChanges = Partial<Omit<AccountRow, 'id'>>;

/** What the pool's slot metrics read of every live account. */
export type AccountSlotState = Pick<
  AccountRow,
  'id' | 'provider' | 'account_status' | 'max_concurrent' | 'cooldown_until'
>;

/**
 * Which accounts a staff member may touch: a provider's live accounts, only their own unless
 * `ownerId` is left out (admins).
 */
export interface AccountScope {
  provider: string;
  ownerId?: string;
}

/**
 * A write met a unique column already holding its value: the session fingerprint (`session_hash`)
 * of another live account. Adapters throw it for the database's unique-constraint error.
 */
export class SessionInUseError extends Error {
  constructor(cause?: unknown) {
    super('A unique account column (the session fingerprint) already holds this value', { cause });
    this.name = 'SessionInUseError';
  }
}

export interface AccountRepository {
  // ---- the pool ----

  /**
   * Accounts that could take this kind of work now, busy or not (at most `limit`): live, the kind
   * switched on, not excluded, and normal or cooling down with the cooldown passed by `now`.
   */
  eligible(
    provider: string,
    kind: GenerationKind,
    options: { exclude: string[]; now: Date; limit: number },
  ): Promise<AccountRow[]>;
  /**
   * Live accounts that come back by themselves by `horizon`: cooling down until then with the kind
   * on, or normal, the kind off (out of points) and a quota reset due by then.
   */
  countRecovering(provider: string, kind: GenerationKind, horizon: Date): Promise<number>;
  /** Every live account's slot-relevant state (any provider). */
  slotStates(): Promise<AccountSlotState[]>;
  /** Adds `count` successes of `kind` to the account's counter and stamps `last_used_at`. */
  countUses(accountId: string, kind: GenerationKind, count: number, at: Date): Promise<void>;
  /** Writes the row's `last_used_at` as it is now (round robin's shared order). */
  saveLastUsed(row: AccountRow): Promise<void>;
  /** Closes a cooled-down account's circuit; a no-op for accounts in any other state. */
  closeCircuit(accountId: string): Promise<void>;

  // ---- any account by id ----

  byId(id: string): Promise<AccountRow | null>;
  /** The account's name and provider only (staff alerts name the account they are about). */
  label(id: string): Promise<Pick<AccountRow, 'name' | 'provider'> | null>;
  /** Writes `changes` to the account (whatever its state); answers how many rows changed (0 or 1). */
  updateById(id: string, changes: AccountChanges): Promise<number>;
  /** Changes a row this repository returned and answers it, updated. Throws SessionInUseError. */
  change(row: AccountRow, changes: AccountChanges): Promise<AccountRow>;

  // ---- staff ----

  /** The live account `id` within `scope`, or null. */
  findLive(id: string, scope: AccountScope): Promise<AccountRow | null>;
  /** The live accounts among `ids` within `scope`. */
  findLiveMany(ids: string[], scope: AccountScope): Promise<AccountRow[]>;
  /** A page of live accounts within `scope`, highest priority first, then newest. */
  page(
    scope: AccountScope & { accountStatus?: number; siteType?: string },
    window: { offset: number; limit: number },
  ): Promise<{ rows: AccountRow[]; total: number }>;
  /** The state columns of every live account within `scope` (for the statistics). */
  states(
    scope: AccountScope,
  ): Promise<
    Array<
      Pick<
        AccountRow,
        'account_status' | 'image_generation_status' | 'video_generation_status' | 'cooldown_until'
      >
    >
  >;
  /** Accounts of `provider` (live or deleted) holding any of these session fingerprints. */
  holdersOf(
    provider: string,
    hashes: string[],
  ): Promise<Array<Pick<AccountRow, 'id' | 'name' | 'create_by' | 'is_deleted' | 'session_hash'>>>;
  /** Clears the session fingerprint of these accounts. */
  clearSessionHashes(ids: string[]): Promise<void>;
  /** Inserts all rows in one statement. Throws SessionInUseError (and inserts none) on a held session. */
  insertMany(rows: NewAccountRow[]): Promise<void>;
  /** Inserts one row. Throws SessionInUseError on a held session. */
  insert(row: NewAccountRow): Promise<void>;
  /** Logically deletes the live ones of these accounts (fingerprint cleared); answers how many. */
  softDelete(ids: string[], by: string, at: Date): Promise<number>;
  /** Writes `changes` to the live account `id` within `scope`; answers how many rows changed. */
  updateLive(id: string, scope: AccountScope, changes: AccountChanges): Promise<number>;
  /** Live accounts without a session fingerprint, oldest first. */
  withoutSessionHash(provider: string): Promise<Array<Pick<AccountRow, 'id' | 'secret_enc' | 'create_time'>>>;
  /** Sets the fingerprint of an account that has none yet. Throws SessionInUseError. */
  fillSessionHash(id: string, hash: string): Promise<void>;

  // ---- upkeep ----

  /** Live accounts whose quota reset time has passed by `now`. */
  quotaResetsDue(provider: string, now: Date): Promise<AccountRow[]>;
  /**
   * Up to `limit` live, not-invalid accounts whose credits are worth reading again: never read,
   * read before `staleBefore`, or used since their last read; oldest read first.
   */
  creditsStale(provider: string, staleBefore: Date, limit: number): Promise<AccountRow[]>;
}
