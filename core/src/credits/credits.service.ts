import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { AnimeModels, CreditLedgerRow } from '../adapters/sequelize/anime.models.js';
import type { DreamloomModels } from '../adapters/sequelize/models.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';

export class InsufficientCreditsError extends AppError {
  constructor(needed: number, balance: number) {
    super('INSUFFICIENT_CREDITS', `This generation costs ${needed} MC; your balance is ${balance} MC`, {
      status: 402,
      details: { needed, balance },
    });
  }
}

export interface LedgerEntryView {
  id: string;
  kind: string;
  amount: number;
  balance_after: number;
  task_id: string | null;
  note: string | null;
  created_at: string;
}

/** A user as the staff credits screen lists them: who they are, where they came from, their balance. */
export interface CreditUserView {
  user_id: string;
  username: string | null;
  display_name: string | null;
  role: string;
  /** `<provider>:<subject>` of each sign-in identity (telegram:123, discord:456, password:alice). */
  identities: string[];
  balance: number;
  created_at: string;
}

export interface BalanceView {
  user_id: string;
  balance: number;
  ledger: LedgerEntryView[];
}

interface Deps {
  sequelize: Sequelize;
  models: DreamloomModels & AnimeModels;
  ids: IdGenerator;
  clock: Clock;
  /** Staff grants are kept in the audit log (beside the ledger entry, in its transaction). */
  audit: AuditLog;
  /** A refund zeroes the task's credits_used: announced to every node's status cache. */
  tasksChanged?: (taskIds: string[]) => Promise<void>;
}

export const chargeKey = (taskId: string) => `charge:${taskId}`;
export const refundKey = (taskId: string) => `refund:${taskId}`;

/**
 * Credits (MC) as a ledger. A balance row exists for speed, but it only changes in the
 * transaction that writes the ledger entry explaining the change, and charges use a conditional
 * UPDATE (`balance >= cost`) so concurrent requests can never overdraw it: the database, not a
 * read in the application, decides who gets the last credits.
 */
export class CreditsService {
  /** Tail of this process's SQLite write chain (see `transaction`). */
  private sqliteTail: Promise<unknown> = Promise.resolve();

  /** Told of every committed charge and refund (the credits metrics). */
  private readonly movedListeners: Array<(move: 'charge' | 'refund', amount: number) => void> = [];

  constructor(private readonly deps: Deps) {}

  /** Runs `listener` after each charge or refund commits, with the amount in MC (positive). */
  onMoved(listener: (move: 'charge' | 'refund', amount: number) => void): void {
    this.movedListeners.push(listener);
  }

  private moved(move: 'charge' | 'refund', amount: number): void {
    for (const listener of this.movedListeners) listener(move, amount);
  }

  /**
   * Runs a credits-moving transaction. SQLite has one writer at a time: letting dozens of
   * requests race for its lock ends in busy-wait retries that take seconds, so in this process
   * they queue here instead (other processes still meet at SQLite's lock). MySQL/MariaDB run them
   * concurrently; the conditional UPDATE's row lock orders them.
   */
  async transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    if (this.deps.sequelize.getDialect() !== 'sqlite') return this.deps.sequelize.transaction(work);
    const run = this.sqliteTail.then(() => this.deps.sequelize.transaction(work));
    this.sqliteTail = run.catch(() => undefined);
    return run;
  }

  async balance(userId: string, transaction?: Transaction): Promise<number> {
    const row = await this.deps.models.CreditAccount.findByPk(userId, { transaction });
    return row?.balance ?? 0;
  }

  /** The actor's own balance and latest entries (staff may name another user). */
  async view(actor: Actor, userId = actor.id, limit = 20): Promise<BalanceView> {
    if (userId !== actor.id && !isStaff(actor)) throw new NotFoundError('User');
    const [balance, entries] = await Promise.all([
      this.balance(userId),
      this.deps.models.CreditLedger.findAll({
        where: { user_id: userId },
        order: [
          ['created_at', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: Math.min(Math.max(limit, 1), 200),
      }),
    ]);
    return { user_id: userId, balance, ledger: entries.map(entryView) };
  }

  /**
   * Staff: users newest first with their balance; `q` matches the id, username, display name or
   * a platform identity's subject.
   */
  async listUsers(
    actor: Actor,
    query: { page: number; limit: number; q?: string },
  ): Promise<{
    records: CreditUserView[];
    pagination: { page: number; limit: number; total: number; totalPages: number };
  }> {
    if (!isStaff(actor)) throw new AppError('FORBIDDEN', 'Only staff can list users', { status: 403 });
    const page = Math.max(1, Math.trunc(query.page));
    const limit = Math.min(100, Math.max(1, Math.trunc(query.limit)));
    const { User, Identity, CreditAccount } = this.deps.models;
    const q = query.q?.trim();
    let where = {};
    if (q) {
      // `%` and `_` typed in a search act as wildcards; harmless for a staff search box.
      const like = `%${q}%`;
      const viaIdentity = await Identity.findAll({
        where: { subject: { [Op.like]: like } },
        attributes: ['user_id'],
        limit: 500,
      });
      where = {
        [Op.or]: [
          { id: q },
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
      limit,
      offset: (page - 1) * limit,
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
        user_id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        identities: identities
          .filter((identity) => identity.user_id === row.id)
          .map((identity) => `${identity.provider}:${identity.subject}`),
        balance: accounts.find((account) => account.user_id === row.id)?.balance ?? 0,
        created_at: new Date(row.created_at).toISOString(),
      })),
      pagination: { page, limit, total: count, totalPages: Math.ceil(count / limit) },
    };
  }

  /**
   * Staff add (or, with a negative amount, remove) credits. The idempotency key makes a retried
   * request harmless: the second call returns the first call's entry.
   */
  async grant(
    actor: Actor,
    input: { userId: string; amount: number; idempotencyKey?: string; note?: string },
  ): Promise<LedgerEntryView> {
    if (!isStaff(actor)) throw new AppError('FORBIDDEN', 'Only staff can grant credits', { status: 403 });
    if (!Number.isInteger(input.amount) || input.amount === 0)
      throw new ValidationError('amount must be a non-zero integer');
    const user = await this.deps.models.User.findByPk(input.userId, { attributes: ['id'] });
    if (!user) throw new NotFoundError('User');
    const key = `grant:${input.idempotencyKey ?? this.deps.ids.uuid()}`;
    const existing = await this.deps.models.CreditLedger.findOne({ where: { idempotency_key: key } });
    if (existing) return entryView(existing);
    try {
      const entry = await this.transaction(async (transaction) => {
        await this.ensureAccount(input.userId, transaction);
        const changed =
          input.amount > 0
            ? await this.add(input.userId, input.amount, transaction)
            : await this.take(input.userId, -input.amount, transaction);
        if (!changed)
          throw new InsufficientCreditsError(-input.amount, await this.balance(input.userId, transaction));
        const granted = await this.record(
          {
            userId: input.userId,
            kind: 'grant',
            amount: input.amount,
            key,
            taskId: null,
            actorId: actor.id,
            note: input.note ?? null,
          },
          transaction,
        );
        await this.deps.audit.record(
          actor,
          'credits.grant',
          { kind: 'user', id: input.userId },
          { balance: granted.balance_after - input.amount },
          {
            balance: granted.balance_after,
            amount: input.amount,
            ledger_id: granted.id,
            note: input.note ?? null,
          },
          { transaction },
        );
        return granted;
      });
      return entryView(entry);
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const entry = await this.deps.models.CreditLedger.findOne({ where: { idempotency_key: key } });
      if (!entry) throw error;
      return entryView(entry);
    }
  }

  /**
   * Takes `amount` for a task inside the caller's transaction (the one that creates the task).
   * Throws InsufficientCreditsError when the balance is short; nothing is written then.
   */
  async charge(
    input: { userId: string; taskId: string; amount: number; note?: string },
    transaction: Transaction,
  ): Promise<void> {
    if (input.amount <= 0) return;
    const taken = await this.take(input.userId, input.amount, transaction);
    if (!taken)
      throw new InsufficientCreditsError(input.amount, await this.balance(input.userId, transaction));
    await this.record(
      {
        userId: input.userId,
        kind: 'charge',
        amount: -input.amount,
        key: chargeKey(input.taskId),
        taskId: input.taskId,
        actorId: input.userId,
        note: input.note ?? null,
      },
      transaction,
    );
    await this.deps.models.GenerationTask.update(
      { credits_used: input.amount },
      { where: { id: input.taskId }, transaction },
    );
    // The caller's transaction may still roll back (the task is not created): count on commit.
    transaction.afterCommit(() => this.moved('charge', input.amount));
  }

  /**
   * Gives a task's charge back, once: the refund entry's unique key makes a second call (the
   * poll and the webhook both reporting the failure, a re-delivered job) a no-op. True when this
   * call refunded.
   */
  async refundTask(taskId: string, note = 'Generation failed'): Promise<boolean> {
    const charge = await this.deps.models.CreditLedger.findOne({
      where: { idempotency_key: chargeKey(taskId) },
    });
    if (!charge) return false;
    const key = refundKey(taskId);
    if (await this.deps.models.CreditLedger.findOne({ where: { idempotency_key: key }, attributes: ['id'] }))
      return false;
    try {
      await this.transaction(async (transaction) => {
        await this.add(charge.user_id, -charge.amount, transaction);
        await this.record(
          {
            userId: charge.user_id,
            kind: 'refund',
            amount: -charge.amount,
            key,
            taskId,
            actorId: null,
            note,
          },
          transaction,
        );
        await this.deps.models.GenerationTask.update(
          { credits_used: 0 },
          { where: { id: taskId }, transaction },
        );
      });
      this.moved('refund', -charge.amount);
      await this.deps.tasksChanged?.([taskId]);
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintError) return false;
      throw error;
    }
  }

  /** Creates the user's balance row if missing, in its own statement (see JobLimitsService.prepare). */
  async ensureAccountRow(userId: string): Promise<void> {
    if (await this.deps.models.CreditAccount.findByPk(userId, { attributes: ['user_id'] })) return;
    await this.transaction((transaction) => this.ensureAccount(userId, transaction));
  }

  /**
   * Takes the user's balance row lock for the rest of `transaction` (a no-op write), so the
   * user's concurrent creates run one after another from here on. The row must exist.
   */
  async lockAccount(userId: string, transaction: Transaction): Promise<void> {
    const [count] = await this.deps.models.CreditAccount.update(
      { updated_at: this.deps.clock.now() },
      { where: { user_id: userId }, transaction },
    );
    // MySQL counts changed rows only: an unchanged timestamp still took the lock, so look before failing.
    if (count === 0 && !(await this.deps.models.CreditAccount.findByPk(userId, { transaction })))
      throw new AppError('CREDIT_ACCOUNT_MISSING', 'The credit account is missing');
  }

  /** Creates the balance row if missing, without racing another creator. */
  private async ensureAccount(userId: string, transaction: Transaction): Promise<void> {
    const table = this.deps.models.CreditAccount.getTableName() as string;
    const ignore = this.deps.sequelize.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
    await this.deps.sequelize.query(
      `${ignore} INTO ${table} (user_id, balance, updated_at) VALUES (?, 0, ?)`,
      {
        replacements: [userId, this.deps.clock.now()],
        transaction,
      },
    );
  }

  private async add(userId: string, amount: number, transaction: Transaction): Promise<boolean> {
    const [count] = await this.deps.models.CreditAccount.update(
      {
        balance: this.deps.sequelize.literal(`balance + ${Math.trunc(amount)}`),
        updated_at: this.deps.clock.now(),
      },
      { where: { user_id: userId }, transaction },
    );
    return count > 0;
  }

  /** The conditional UPDATE: 0 rows changed means the balance was short at that instant. */
  private async take(userId: string, amount: number, transaction: Transaction): Promise<boolean> {
    const [count] = await this.deps.models.CreditAccount.update(
      {
        balance: this.deps.sequelize.literal(`balance - ${Math.trunc(amount)}`),
        updated_at: this.deps.clock.now(),
      },
      { where: { user_id: userId, balance: { [Op.gte]: amount } }, transaction },
    );
    return count > 0;
  }

  private async record(
    entry: {
      userId: string;
      kind: string;
      amount: number;
      key: string;
      taskId: string | null;
      actorId: string | null;
      note: string | null;
    },
    transaction: Transaction,
  ): Promise<CreditLedgerRow> {
    const account = await this.deps.models.CreditAccount.findByPk(entry.userId, { transaction });
    return this.deps.models.CreditLedger.create(
      {
        id: this.deps.ids.uuid(),
        user_id: entry.userId,
        kind: entry.kind,
        amount: entry.amount,
        balance_after: account?.balance ?? 0,
        idempotency_key: entry.key,
        task_id: entry.taskId,
        actor_id: entry.actorId,
        note: entry.note?.slice(0, 255) ?? null,
        created_at: this.deps.clock.now(),
      },
      { transaction },
    );
  }
}

function entryView(entry: CreditLedgerRow): LedgerEntryView {
  return {
    id: entry.id,
    kind: entry.kind,
    amount: entry.amount,
    balance_after: entry.balance_after,
    task_id: entry.task_id,
    note: entry.note,
    created_at: new Date(entry.created_at).toISOString(),
  };
}
