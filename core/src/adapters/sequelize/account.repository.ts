import { Op, UniqueConstraintError, col, literal, type WhereOptions } from 'sequelize';
import type {
  AccountChanges,
  AccountRepository,
  AccountRow,
  AccountScope,
  GenerationKind,
  NewAccountRow,
} from '../../accounts/account.repository.js';
import { SessionInUseError } from '../../accounts/account.repository.js';
import { AccountStatus } from '../../accounts/jimeng-account.types.js';
import type { DreamloomModels, ProviderAccountRow } from './models.js';

const kindColumn = (kind: GenerationKind) =>
  kind === 'image' ? 'image_generation_status' : 'video_generation_status';

/** Runs a write, turning the database's unique-constraint error into the port's SessionInUseError. */
async function uniquely<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new SessionInUseError(error);
    throw error;
  }
}

/**
 * The accounts port on Sequelize (`provider_accounts`). The queries are the ones the pool, the staff
 * account service and pool upkeep ran themselves before the port: same filters, column lists, orders
 * and limits. Rows are model instances, so `change` and `saveLastUsed` write only changed columns.
 */
export class SequelizeAccountRepository implements AccountRepository {
  constructor(private readonly models: Pick<DreamloomModels, 'ProviderAccount'>) {}

  private get table() {
    return this.models.ProviderAccount;
  }

  /** Staff see their own accounts (003's rule); admins (no owner given) see all. */
  private live(scope: AccountScope): WhereOptions {
    return {
      provider: scope.provider,
      is_deleted: false,
      ...(scope.ownerId === undefined ? {} : { create_by: scope.ownerId }),
    };
  }

  eligible(
    provider: string,
    kind: GenerationKind,
    options: { exclude: string[]; now: Date; limit: number },
  ): Promise<AccountRow[]> {
    const { exclude, now, limit } = options;
    return this.table.findAll({
      where: {
        provider,
        is_deleted: false,
        [kindColumn(kind)]: 1,
        id: { [Op.notIn]: exclude.length ? exclude : [''] },
        [Op.or]: [
          { account_status: AccountStatus.normal },
          // Half-open: a cooled-down account becomes eligible again once its cooldown has passed.
          { account_status: AccountStatus.coolingDown, cooldown_until: { [Op.lte]: now } },
        ],
      },
      limit,
    });
  }

  countRecovering(provider: string, kind: GenerationKind, horizon: Date): Promise<number> {
    const column = kindColumn(kind);
    return this.table.count({
      where: {
        provider,
        is_deleted: false,
        [Op.or]: [
          {
            account_status: AccountStatus.coolingDown,
            cooldown_until: { [Op.lte]: horizon },
            [column]: 1,
          },
          { account_status: AccountStatus.normal, [column]: 0, quota_reset_time: { [Op.lte]: horizon } },
        ],
      },
    });
  }

  slotStates() {
    return this.table.findAll({
      where: { is_deleted: false },
      attributes: ['id', 'provider', 'account_status', 'max_concurrent', 'cooldown_until'],
    });
  }

  async countUses(accountId: string, kind: GenerationKind, count: number, at: Date): Promise<void> {
    const column = kind === 'image' ? 'image_count' : 'video_count';
    await this.table.update(
      { [column]: literal(`${column} + ${Number(count)}`), last_used_at: at },
      { where: { id: accountId } },
    );
  }

  async saveLastUsed(row: AccountRow): Promise<void> {
    await (row as ProviderAccountRow).save({ fields: ['last_used_at'] });
  }

  async closeCircuit(accountId: string): Promise<void> {
    await this.table.update(
      { account_status: AccountStatus.normal, cooldown_level: 0, cooldown_until: null, status_reason: null },
      { where: { id: accountId, account_status: AccountStatus.coolingDown } },
    );
  }

  byId(id: string): Promise<AccountRow | null> {
    return this.table.findByPk(id);
  }

  label(id: string): Promise<Pick<AccountRow, 'name' | 'provider'> | null> {
    return this.table.findByPk(id, { attributes: ['name', 'provider'] });
  }

  async updateById(id: string, changes: AccountChanges): Promise<number> {
    const [changed] = await this.table.update(changes, { where: { id } });
    return changed;
  }

  change(row: AccountRow, changes: AccountChanges): Promise<AccountRow> {
    return uniquely(() => (row as ProviderAccountRow).update(changes));
  }

  findLive(id: string, scope: AccountScope): Promise<AccountRow | null> {
    return this.table.findOne({ where: { id, ...this.live(scope) } });
  }

  findLiveMany(ids: string[], scope: AccountScope): Promise<AccountRow[]> {
    return this.table.findAll({ where: { id: { [Op.in]: ids }, ...this.live(scope) } });
  }

  async page(
    scope: AccountScope & { accountStatus?: number; siteType?: string },
    window: { offset: number; limit: number },
  ): Promise<{ rows: AccountRow[]; total: number }> {
    const { rows, count } = await this.table.findAndCountAll({
      where: {
        ...this.live(scope),
        ...(scope.accountStatus !== undefined ? { account_status: scope.accountStatus } : {}),
        ...(scope.siteType !== undefined ? { site_type: scope.siteType } : {}),
      },
      order: [
        ['priority', 'DESC'],
        ['create_time', 'DESC'],
        ['id', 'DESC'],
      ],
      offset: window.offset,
      limit: window.limit,
    });
    return { rows, total: count };
  }

  states(scope: AccountScope) {
    return this.table.findAll({
      attributes: ['account_status', 'image_generation_status', 'video_generation_status', 'cooldown_until'],
      where: this.live(scope),
    });
  }

  holdersOf(provider: string, hashes: string[]) {
    return this.table.findAll({
      attributes: ['id', 'name', 'create_by', 'is_deleted', 'session_hash'],
      where: { provider, session_hash: { [Op.in]: [...new Set(hashes)] } },
    });
  }

  async clearSessionHashes(ids: string[]): Promise<void> {
    await this.table.update({ session_hash: null }, { where: { id: ids } });
  }

  async insertMany(rows: NewAccountRow[]): Promise<void> {
    await uniquely(() => this.table.bulkCreate(rows));
  }

  async insert(row: NewAccountRow): Promise<void> {
    await uniquely(() => this.table.create(row));
  }

  async softDelete(ids: string[], by: string, at: Date): Promise<number> {
    const [affected] = await this.table.update(
      // The fingerprint goes with the account: its session may be added again.
      { is_deleted: true, session_hash: null, update_by: by, update_time: at },
      { where: { id: { [Op.in]: ids }, is_deleted: false } },
    );
    return affected;
  }

  async updateLive(id: string, scope: AccountScope, changes: AccountChanges): Promise<number> {
    const [affected] = await this.table.update(changes, { where: { id, ...this.live(scope) } });
    return affected;
  }

  withoutSessionHash(provider: string) {
    return this.table.findAll({
      attributes: ['id', 'secret_enc', 'create_time'],
      where: { provider, is_deleted: false, session_hash: null },
      order: [
        ['create_time', 'ASC'],
        ['id', 'ASC'],
      ],
    });
  }

  async fillSessionHash(id: string, hash: string): Promise<void> {
    await uniquely(() => this.table.update({ session_hash: hash }, { where: { id, session_hash: null } }));
  }

  quotaResetsDue(provider: string, now: Date): Promise<AccountRow[]> {
    return this.table.findAll({
      where: { provider, is_deleted: false, quota_reset_time: { [Op.lte]: now } },
    });
  }

  creditsStale(provider: string, staleBefore: Date, limit: number): Promise<AccountRow[]> {
    return this.table.findAll({
      where: {
        provider,
        is_deleted: false,
        account_status: { [Op.ne]: AccountStatus.invalid },
        [Op.or]: [
          { credits_checked_at: null },
          { credits_checked_at: { [Op.lt]: staleBefore } },
          { last_used_at: { [Op.gt]: col('credits_checked_at') } },
        ],
      },
      order: [
        ['credits_checked_at', 'ASC'],
        ['id', 'ASC'],
      ],
      limit,
    });
  }
}
