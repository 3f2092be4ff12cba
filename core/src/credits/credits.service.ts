import type { AuditLog } from '../audit/audit-log.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { TransactionHandle, UnitOfWork } from '../shared/unit-of-work.js';
import {
  LedgerKeyTakenError,
  type CreditLedgerRepository,
  type LedgerEntryRecord,
} from './credit-ledger.repository.js';

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
  ledger: CreditLedgerRepository;
  /**
   * The ledger's own unit of work: grants, refunds and the charged creates (anime's
   * charged-task-creation.ts runs in it too) queue behind each other on SQLite; on MySQL/MariaDB
   * they run concurrently and the conditional UPDATE's row lock orders them.
   */
  unitOfWork: UnitOfWork;
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

  balance(userId: string, transaction?: TransactionHandle): Promise<number> {
    return this.deps.ledger.balance(userId, transaction);
  }

  /** The actor's own balance and latest entries (staff may name another user). */
  async view(actor: Actor, userId = actor.id, limit = 20): Promise<BalanceView> {
    if (userId !== actor.id && !isStaff(actor)) throw new NotFoundError('User');
    const [balance, entries] = await Promise.all([
      this.balance(userId),
      this.deps.ledger.latestEntries(userId, Math.min(Math.max(limit, 1), 200)),
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
    // `%` and `_` typed in a search act as wildcards; harmless for a staff search box.
    const { records, total } = await this.deps.ledger.accountHolders({
      q: query.q?.trim() || undefined,
      limit,
      offset: (page - 1) * limit,
    });
    return {
      records: records.map((row) => ({
        user_id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        identities: row.identities.map((identity) => `${identity.provider}:${identity.subject}`),
        balance: row.balance,
        created_at: new Date(row.created_at).toISOString(),
      })),
      pagination: { page, limit, total, totalPages: Math.ceil(total / limit) },
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
    const { ledger } = this.deps;
    if (!(await ledger.userExists(input.userId))) throw new NotFoundError('User');
    const key = `grant:${input.idempotencyKey ?? this.deps.ids.uuid()}`;
    const existing = await ledger.entryByKey(key);
    if (existing) return entryView(existing);
    try {
      const entry = await this.deps.unitOfWork.run(async (transaction) => {
        await ledger.ensureAccount(input.userId, this.deps.clock.now(), transaction);
        const changed =
          input.amount > 0
            ? await ledger.add(input.userId, input.amount, this.deps.clock.now(), transaction)
            : await ledger.take(input.userId, -input.amount, this.deps.clock.now(), transaction);
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
      if (!(error instanceof LedgerKeyTakenError)) throw error;
      const entry = await ledger.entryByKey(key);
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
    transaction: TransactionHandle,
  ): Promise<void> {
    if (input.amount <= 0) return;
    const taken = await this.deps.ledger.take(input.userId, input.amount, this.deps.clock.now(), transaction);
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
    await this.deps.ledger.setTaskCredits(input.taskId, input.amount, transaction);
    // The caller's transaction may still roll back (the task is not created): count on commit.
    transaction.afterCommit(() => this.moved('charge', input.amount));
  }

  /**
   * Gives a task's charge back, once: the refund entry's unique key makes a second call (the
   * poll and the webhook both reporting the failure, a re-delivered job) a no-op. True when this
   * call refunded.
   */
  async refundTask(taskId: string, note = 'Generation failed'): Promise<boolean> {
    const { ledger } = this.deps;
    const charge = await ledger.entryByKey(chargeKey(taskId));
    if (!charge) return false;
    const key = refundKey(taskId);
    if (await ledger.hasEntry(key)) return false;
    try {
      await this.deps.unitOfWork.run(async (transaction) => {
        await ledger.add(charge.user_id, -charge.amount, this.deps.clock.now(), transaction);
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
        await ledger.setTaskCredits(taskId, 0, transaction);
      });
      this.moved('refund', -charge.amount);
      await this.deps.tasksChanged?.([taskId]);
      return true;
    } catch (error) {
      if (error instanceof LedgerKeyTakenError) return false;
      throw error;
    }
  }

  /** Creates the user's balance row if missing, in its own statement (see JobLimitsService.prepare). */
  async ensureAccountRow(userId: string): Promise<void> {
    if (await this.deps.ledger.hasAccount(userId)) return;
    await this.deps.unitOfWork.run((transaction) =>
      this.deps.ledger.ensureAccount(userId, this.deps.clock.now(), transaction),
    );
  }

  /**
   * Takes the user's balance row lock for the rest of `transaction` (a no-op write), so the
   * user's concurrent creates run one after another from here on. The row must exist.
   */
  async lockAccount(userId: string, transaction: TransactionHandle): Promise<void> {
    if (!(await this.deps.ledger.lockAccount(userId, this.deps.clock.now(), transaction)))
      throw new AppError('CREDIT_ACCOUNT_MISSING', 'The credit account is missing');
  }

  /** Appends an entry whose balance_after is the balance as this transaction now sees it. */
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
    transaction: TransactionHandle,
  ): Promise<LedgerEntryRecord> {
    const balanceAfter = await this.balance(entry.userId, transaction);
    return this.deps.ledger.append(
      {
        id: this.deps.ids.uuid(),
        user_id: entry.userId,
        kind: entry.kind,
        amount: entry.amount,
        balance_after: balanceAfter,
        idempotency_key: entry.key,
        task_id: entry.taskId,
        actor_id: entry.actorId,
        note: entry.note?.slice(0, 255) ?? null,
        created_at: this.deps.clock.now(),
      },
      transaction,
    );
  }
}

function entryView(entry: LedgerEntryRecord): LedgerEntryView {
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
