import {
  SessionInUseError,
  type AccountChanges,
  type AccountRepository,
  type AccountRow,
  type AccountScope,
  type GenerationKind,
  type NewAccountRow,
} from '../account.repository.js';
import { AccountStatus } from '../jimeng-account.types.js';

/**
 * The accounts port in memory, for unit tests of the pool and the account services: the same
 * answers as the database adapter (filters, orders, limits, the session fingerprint's uniqueness
 * among a provider's accounts), without a database. Rows handed out are copies, as fresh database
 * reads are; `change` and `saveLastUsed` write back to the stored row.
 */
export class InMemoryAccountRepository implements AccountRepository {
  private readonly rows = new Map<string, AccountRow>();
  /** Every write, in order (method and account ids), for tests that count what reached storage. */
  readonly writes: Array<{ method: string; ids: string[] }> = [];

  /** Stores a row as a test needs it: columns not given take the table's defaults. */
  put(row: Partial<AccountRow> & Pick<AccountRow, 'id'>): AccountRow {
    const stored = { ...defaults(row.id), ...row };
    this.rows.set(row.id, stored);
    return { ...stored };
  }

  /** The stored row as it is now (a copy), for assertions. */
  get(id: string): AccountRow | undefined {
    const row = this.rows.get(id);
    return row ? { ...row } : undefined;
  }

  private all(): AccountRow[] {
    return [...this.rows.values()];
  }

  private inScope(row: AccountRow, scope: AccountScope): boolean {
    return (
      row.provider === scope.provider &&
      !row.is_deleted &&
      (scope.ownerId === undefined || row.create_by === scope.ownerId)
    );
  }

  private write(method: string, ids: string[], changes: AccountChanges): number {
    this.writes.push({ method, ids });
    for (const id of ids) {
      const row = this.rows.get(id)!;
      if (changes.session_hash && this.holdsSession(changes.session_hash, row.provider, id))
        throw new SessionInUseError();
    }
    for (const id of ids) Object.assign(this.rows.get(id)!, changes);
    return ids.length;
  }

  /** Whether another account of the provider holds this fingerprint (the table's unique index). */
  private holdsSession(hash: string, provider: string, exceptId?: string): boolean {
    return this.all().some(
      (row) => row.provider === provider && row.session_hash === hash && row.id !== exceptId,
    );
  }

  async eligible(
    provider: string,
    kind: GenerationKind,
    options: { exclude: string[]; now: Date; limit: number },
  ): Promise<AccountRow[]> {
    const kindOn = (row: AccountRow) =>
      (kind === 'image' ? row.image_generation_status : row.video_generation_status) === 1;
    return this.all()
      .filter(
        (row) =>
          row.provider === provider &&
          !row.is_deleted &&
          kindOn(row) &&
          !options.exclude.includes(row.id) &&
          (row.account_status === AccountStatus.normal ||
            (row.account_status === AccountStatus.coolingDown &&
              row.cooldown_until !== null &&
              row.cooldown_until.getTime() <= options.now.getTime())),
      )
      .slice(0, options.limit)
      .map((row) => ({ ...row }));
  }

  async countRecovering(provider: string, kind: GenerationKind, horizon: Date): Promise<number> {
    const status = (row: AccountRow) =>
      kind === 'image' ? row.image_generation_status : row.video_generation_status;
    const by = horizon.getTime();
    return this.all().filter(
      (row) =>
        row.provider === provider &&
        !row.is_deleted &&
        ((row.account_status === AccountStatus.coolingDown &&
          row.cooldown_until !== null &&
          row.cooldown_until.getTime() <= by &&
          status(row) === 1) ||
          (row.account_status === AccountStatus.normal &&
            status(row) === 0 &&
            row.quota_reset_time.getTime() <= by)),
    ).length;
  }

  async slotStates() {
    return this.all()
      .filter((row) => !row.is_deleted)
      .map(({ id, provider, account_status, max_concurrent, cooldown_until }) => ({
        id,
        provider,
        account_status,
        max_concurrent,
        cooldown_until,
      }));
  }

  async countUses(accountId: string, kind: GenerationKind, count: number, at: Date): Promise<void> {
    const row = this.rows.get(accountId);
    this.writes.push({ method: 'countUses', ids: [accountId] });
    if (!row) return;
    if (kind === 'image') row.image_count += count;
    else row.video_count += count;
    row.last_used_at = at;
  }

  async saveLastUsed(row: AccountRow): Promise<void> {
    const stored = this.rows.get(row.id);
    this.writes.push({ method: 'saveLastUsed', ids: [row.id] });
    if (stored) stored.last_used_at = row.last_used_at;
  }

  async closeCircuit(accountId: string): Promise<void> {
    const row = this.rows.get(accountId);
    if (!row || row.account_status !== AccountStatus.coolingDown) return;
    this.write('closeCircuit', [accountId], {
      account_status: AccountStatus.normal,
      cooldown_level: 0,
      cooldown_until: null,
      status_reason: null,
    });
  }

  async byId(id: string): Promise<AccountRow | null> {
    return this.get(id) ?? null;
  }

  async label(id: string): Promise<Pick<AccountRow, 'name' | 'provider'> | null> {
    const row = this.rows.get(id);
    return row ? { name: row.name, provider: row.provider } : null;
  }

  async updateById(id: string, changes: AccountChanges): Promise<number> {
    return this.rows.has(id) ? this.write('updateById', [id], changes) : 0;
  }

  async change(row: AccountRow, changes: AccountChanges): Promise<AccountRow> {
    if (this.rows.has(row.id)) this.write('change', [row.id], changes);
    return Object.assign(row, changes);
  }

  async findLive(id: string, scope: AccountScope): Promise<AccountRow | null> {
    const row = this.rows.get(id);
    return row && this.inScope(row, scope) ? { ...row } : null;
  }

  async findLiveMany(ids: string[], scope: AccountScope): Promise<AccountRow[]> {
    return this.all()
      .filter((row) => ids.includes(row.id) && this.inScope(row, scope))
      .map((row) => ({ ...row }));
  }

  async page(
    scope: AccountScope & { accountStatus?: number; siteType?: string },
    window: { offset: number; limit: number },
  ): Promise<{ rows: AccountRow[]; total: number }> {
    const matching = this.all()
      .filter(
        (row) =>
          this.inScope(row, scope) &&
          (scope.accountStatus === undefined || row.account_status === scope.accountStatus) &&
          (scope.siteType === undefined || row.site_type === scope.siteType),
      )
      .sort(
        (a, b) =>
          b.priority - a.priority ||
          b.create_time.getTime() - a.create_time.getTime() ||
          (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
    return {
      rows: matching.slice(window.offset, window.offset + window.limit).map((row) => ({ ...row })),
      total: matching.length,
    };
  }

  async states(scope: AccountScope) {
    return this.all()
      .filter((row) => this.inScope(row, scope))
      .map(({ account_status, image_generation_status, video_generation_status, cooldown_until }) => ({
        account_status,
        image_generation_status,
        video_generation_status,
        cooldown_until,
      }));
  }

  async holdersOf(provider: string, hashes: string[]) {
    return this.all()
      .filter(
        (row) => row.provider === provider && row.session_hash !== null && hashes.includes(row.session_hash),
      )
      .map(({ id, name, create_by, is_deleted, session_hash }) => ({
        id,
        name,
        create_by,
        is_deleted,
        session_hash,
      }));
  }

  async clearSessionHashes(ids: string[]): Promise<void> {
    this.write(
      'clearSessionHashes',
      ids.filter((id) => this.rows.has(id)),
      { session_hash: null },
    );
  }

  async insertMany(rows: NewAccountRow[]): Promise<void> {
    const hashes = rows.map((row) => row.session_hash).filter((hash) => hash !== null);
    if (
      new Set(hashes).size !== hashes.length ||
      rows.some((row) => row.session_hash && this.holdsSession(row.session_hash, row.provider))
    )
      throw new SessionInUseError();
    for (const row of rows) this.put(row);
    this.writes.push({ method: 'insertMany', ids: rows.map((row) => row.id) });
  }

  async insert(row: NewAccountRow): Promise<void> {
    if (row.session_hash && this.holdsSession(row.session_hash, row.provider)) throw new SessionInUseError();
    this.put(row);
    this.writes.push({ method: 'insert', ids: [row.id] });
  }

  async softDelete(ids: string[], by: string, at: Date): Promise<number> {
    const live = ids.filter((id) => this.rows.get(id)?.is_deleted === false);
    return this.write('softDelete', live, {
      is_deleted: true,
      session_hash: null,
      update_by: by,
      update_time: at,
    });
  }

  async updateLive(id: string, scope: AccountScope, changes: AccountChanges): Promise<number> {
    const row = this.rows.get(id);
    return row && this.inScope(row, scope) ? this.write('updateLive', [id], changes) : 0;
  }

  async withoutSessionHash(provider: string) {
    return this.all()
      .filter((row) => row.provider === provider && !row.is_deleted && row.session_hash === null)
      .sort(
        (a, b) =>
          a.create_time.getTime() - b.create_time.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .map(({ id, secret_enc, create_time }) => ({ id, secret_enc, create_time }));
  }

  async fillSessionHash(id: string, hash: string): Promise<void> {
    if (this.rows.get(id)?.session_hash === null) this.write('fillSessionHash', [id], { session_hash: hash });
  }

  async quotaResetsDue(provider: string, now: Date): Promise<AccountRow[]> {
    return this.all()
      .filter(
        (row) =>
          row.provider === provider && !row.is_deleted && row.quota_reset_time.getTime() <= now.getTime(),
      )
      .map((row) => ({ ...row }));
  }

  async creditsStale(provider: string, staleBefore: Date, limit: number): Promise<AccountRow[]> {
    const checked = (row: AccountRow) => row.credits_checked_at?.getTime() ?? null;
    return (
      this.all()
        .filter(
          (row) =>
            row.provider === provider &&
            !row.is_deleted &&
            row.account_status !== AccountStatus.invalid &&
            (checked(row) === null ||
              checked(row)! < staleBefore.getTime() ||
              (row.last_used_at !== null && row.last_used_at.getTime() > checked(row)!)),
        )
        // NULLs first, as both databases order them ascending.
        .sort((a, b) => (checked(a) ?? -Infinity) - (checked(b) ?? -Infinity) || (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((row) => ({ ...row }))
    );
  }
}

function defaults(id: string): AccountRow {
  const epoch = new Date(0);
  return {
    id,
    provider: 'jimeng',
    name: `account ${id}`,
    account_type: 0,
    site_type: '0',
    secret_enc: '',
    secret_mask: '',
    session_hash: null,
    account_status: AccountStatus.normal,
    image_generation_status: 1,
    video_generation_status: 1,
    image_count: 0,
    video_count: 0,
    priority: 0,
    weight: 1,
    max_concurrent: 3,
    quota_reset_time: epoch,
    credits: null,
    credits_checked_at: null,
    status_reason: null,
    last_error: null,
    last_error_at: null,
    cooldown_until: null,
    cooldown_level: 0,
    last_used_at: null,
    is_deleted: false,
    create_by: null,
    update_by: null,
    create_time: epoch,
    update_time: epoch,
  };
}
