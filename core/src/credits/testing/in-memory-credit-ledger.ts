/**
 * The credits ledger's port in memory, for unit tests of CreditsService's rules: balance rows,
 * entries with their unique idempotency keys, and tasks' credits_used as plain records, plus a unit
 * of work that runs one transaction at a time, undoes a failed one's writes and runs `afterCommit`
 * callbacks only after a commit. Nothing here touches a database.
 */
import type { TransactionHandle, UnitOfWork } from '../../shared/unit-of-work.js';
import {
  LedgerKeyTakenError,
  type AccountHolderRecord,
  type CreditLedgerRepository,
  type LedgerEntryRecord,
} from '../credit-ledger.repository.js';

interface State {
  accounts: Map<string, { balance: number; updated_at: Date }>;
  entries: LedgerEntryRecord[];
  taskCredits: Map<string, number>;
}

export class InMemoryCreditLedger implements CreditLedgerRepository {
  state: State = { accounts: new Map(), entries: [], taskCredits: new Map() };
  readonly users = new Map<string, Omit<AccountHolderRecord, 'balance'>>();

  /** A user the ledger knows (grants check that the user exists). */
  addUser(id: string, role = 'user'): void {
    this.users.set(id, {
      id,
      username: id,
      display_name: null,
      role,
      created_at: new Date(0),
      identities: [],
    });
  }

  /** What a transaction rolled back restores. */
  snapshot(): State {
    return {
      accounts: new Map([...this.state.accounts].map(([id, account]) => [id, { ...account }])),
      entries: this.state.entries.map((entry) => ({ ...entry })),
      taskCredits: new Map(this.state.taskCredits),
    };
  }

  async balance(userId: string): Promise<number> {
    return this.state.accounts.get(userId)?.balance ?? 0;
  }

  async hasAccount(userId: string): Promise<boolean> {
    return this.state.accounts.has(userId);
  }

  async ensureAccount(userId: string, at: Date): Promise<void> {
    if (!this.state.accounts.has(userId)) this.state.accounts.set(userId, { balance: 0, updated_at: at });
  }

  async add(userId: string, amount: number, at: Date): Promise<boolean> {
    const account = this.state.accounts.get(userId);
    if (!account) return false;
    account.balance += Math.trunc(amount);
    account.updated_at = at;
    return true;
  }

  async take(userId: string, amount: number, at: Date): Promise<boolean> {
    const account = this.state.accounts.get(userId);
    if (!account || account.balance < amount) return false;
    account.balance -= Math.trunc(amount);
    account.updated_at = at;
    return true;
  }

  async lockAccount(userId: string, at: Date): Promise<boolean> {
    const account = this.state.accounts.get(userId);
    if (account) account.updated_at = at;
    return !!account;
  }

  async append(entry: LedgerEntryRecord): Promise<LedgerEntryRecord> {
    if (this.state.entries.some((each) => each.idempotency_key === entry.idempotency_key))
      throw new LedgerKeyTakenError();
    this.state.entries.push({ ...entry });
    return { ...entry };
  }

  async entryByKey(idempotencyKey: string): Promise<LedgerEntryRecord | null> {
    const entry = this.state.entries.find((each) => each.idempotency_key === idempotencyKey);
    return entry ? { ...entry } : null;
  }

  async hasEntry(idempotencyKey: string): Promise<boolean> {
    return this.state.entries.some((each) => each.idempotency_key === idempotencyKey);
  }

  async latestEntries(userId: string, limit: number): Promise<LedgerEntryRecord[]> {
    return this.state.entries
      .filter((entry) => entry.user_id === userId)
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((entry) => ({ ...entry }));
  }

  async setTaskCredits(taskId: string, credits: number): Promise<void> {
    this.state.taskCredits.set(taskId, credits);
  }

  async userExists(userId: string): Promise<boolean> {
    return this.users.has(userId);
  }

  async accountHolders(query: { q?: string; limit: number; offset: number }) {
    const matching = [...this.users.values()].filter(
      (user) =>
        !query.q ||
        user.id === query.q ||
        [user.username, user.display_name, ...user.identities.map((identity) => identity.subject)].some(
          (text) => text?.includes(query.q!),
        ),
    );
    return {
      records: matching.slice(query.offset, query.offset + query.limit).map((user) => ({
        ...user,
        balance: this.state.accounts.get(user.id)?.balance ?? 0,
      })),
      total: matching.length,
    };
  }
}

/**
 * Transactions over an InMemoryCreditLedger, one at a time (as SQLite's queue runs them): a failed
 * one's writes are undone, and `afterCommit` callbacks run only once it has committed.
 */
export class InMemoryUnitOfWork implements UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();
  commits = 0;
  rollbacks = 0;

  constructor(private readonly ledger: InMemoryCreditLedger) {}

  run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const before = this.ledger.snapshot();
      const callbacks: Array<() => void | Promise<void>> = [];
      const transaction: TransactionHandle = { afterCommit: (callback) => void callbacks.push(callback) };
      let result: T;
      try {
        result = await work(transaction);
      } catch (error) {
        this.ledger.state = before;
        this.rollbacks += 1;
        throw error;
      }
      this.commits += 1;
      for (const callback of callbacks) await callback();
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
