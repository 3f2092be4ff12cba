import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import {
  LedgerKeyTakenError,
  type AccountHolderRecord,
  type CreditLedgerRepository,
  type LedgerEntryRecord,
} from '../../credits/credit-ledger.repository.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { AnimeModels } from './anime.models.js';
import type { DreamloomModels } from './models.js';
import { sequelizeTransaction } from './unit-of-work.js';

/**
 * The credits ledger on Sequelize (`credit_accounts`, `credit_ledger`, and `generation_tasks.credits_used`),
 * with the statements CreditsService ran itself before the port: the conditional UPDATE
 * (`balance >= amount`) is the debit, and the balance row is created with INSERT OR IGNORE /
 * INSERT IGNORE so two creators never race.
 */
export class SequelizeCreditLedgerRepository implements CreditLedgerRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly models: Pick<DreamloomModels, 'User' | 'Identity' | 'GenerationTask'> &
      Pick<AnimeModels, 'CreditAccount' | 'CreditLedger'>,
  ) {}

  async balance(userId: string, transaction?: TransactionHandle): Promise<number> {
    const row = await this.models.CreditAccount.findByPk(userId, {
      transaction: sequelizeTransaction(transaction),
    });
    return row?.balance ?? 0;
  }

  async hasAccount(userId: string): Promise<boolean> {
    return !!(await this.models.CreditAccount.findByPk(userId, { attributes: ['user_id'] }));
  }

  async ensureAccount(userId: string, at: Date, transaction: TransactionHandle): Promise<void> {
    const table = this.models.CreditAccount.getTableName() as string;
    const ignore = this.sequelize.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
    await this.sequelize.query(`${ignore} INTO ${table} (user_id, balance, updated_at) VALUES (?, 0, ?)`, {
      replacements: [userId, at],
      transaction: sequelizeTransaction(transaction),
    });
  }

  async add(userId: string, amount: number, at: Date, transaction: TransactionHandle): Promise<boolean> {
    const [count] = await this.models.CreditAccount.update(
      { balance: this.sequelize.literal(`balance + ${Math.trunc(amount)}`), updated_at: at },
      { where: { user_id: userId }, transaction: sequelizeTransaction(transaction) },
    );
    return count > 0;
  }

  async take(userId: string, amount: number, at: Date, transaction: TransactionHandle): Promise<boolean> {
    const [count] = await this.models.CreditAccount.update(
      { balance: this.sequelize.literal(`balance - ${Math.trunc(amount)}`), updated_at: at },
      {
        where: { user_id: userId, balance: { [Op.gte]: amount } },
        transaction: sequelizeTransaction(transaction),
      },
    );
    return count > 0;
  }

  async lockAccount(userId: string, at: Date, transaction: TransactionHandle): Promise<boolean> {
    const t = sequelizeTransaction(transaction);
    const [count] = await this.models.CreditAccount.update(
      { updated_at: at },
      { where: { user_id: userId }, transaction: t },
    );
    // MySQL counts changed rows only: an unchanged timestamp still took the lock, so look before failing.
    return count > 0 || !!(await this.models.CreditAccount.findByPk(userId, { transaction: t }));
  }

  async append(entry: LedgerEntryRecord, transaction: TransactionHandle): Promise<LedgerEntryRecord> {
    try {
      return await this.models.CreditLedger.create(entry, { transaction: sequelizeTransaction(transaction) });
    } catch (error) {
      if (error instanceof UniqueConstraintError) throw new LedgerKeyTakenError(error);
      throw error;
    }
  }

  entryByKey(idempotencyKey: string): Promise<LedgerEntryRecord | null> {
    return this.models.CreditLedger.findOne({ where: { idempotency_key: idempotencyKey } });
  }

  async hasEntry(idempotencyKey: string): Promise<boolean> {
    return !!(await this.models.CreditLedger.findOne({
      where: { idempotency_key: idempotencyKey },
      attributes: ['id'],
    }));
  }

  latestEntries(userId: string, limit: number): Promise<LedgerEntryRecord[]> {
    return this.models.CreditLedger.findAll({
      where: { user_id: userId },
      order: [
        ['created_at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
    });
  }

  async setTaskCredits(taskId: string, credits: number, transaction: TransactionHandle): Promise<void> {
    await this.models.GenerationTask.update(
      { credits_used: credits },
      { where: { id: taskId }, transaction: sequelizeTransaction(transaction) },
    );
  }

  async userExists(userId: string): Promise<boolean> {
    return !!(await this.models.User.findByPk(userId, { attributes: ['id'] }));
  }

  async accountHolders(query: {
    q?: string;
    limit: number;
    offset: number;
  }): Promise<{ records: AccountHolderRecord[]; total: number }> {
    const { User, Identity, CreditAccount } = this.models;
    let where = {};
    if (query.q) {
      const like = `%${query.q}%`;
      const viaIdentity = await Identity.findAll({
        where: { subject: { [Op.like]: like } },
        attributes: ['user_id'],
        limit: 500,
      });
      where = {
        [Op.or]: [
          { id: query.q },
          { username: { [Op.like]: like } },
          { display_name: { [Op.like]: like } },
          { id: { [Op.in]: viaIdentity.map((identity) => identity.user_id) } },
        ],
      };
    }
    const { rows, count } = await User.findAndCountAll({
      where,
      order: [
        ['created_at', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: query.limit,
      offset: query.offset,
    });
    const ids = rows.map((row) => row.id);
    const [accounts, identities] = ids.length
      ? await Promise.all([
          CreditAccount.findAll({ where: { user_id: { [Op.in]: ids } } }),
          Identity.findAll({ where: { user_id: { [Op.in]: ids } }, order: [['created_at', 'ASC']] }),
        ])
      : [[], []];
    return {
      records: rows.map((row) => ({
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        created_at: row.created_at,
        identities: identities
          .filter((identity) => identity.user_id === row.id)
          .map((identity) => ({ provider: identity.provider, subject: identity.subject })),
        balance: accounts.find((account) => account.user_id === row.id)?.balance ?? 0,
      })),
      total: count,
    };
  }
}
