/**
 * Where the MC ledger lives: each user's balance row (`credit_accounts`), the ledger entries that
 * explain every change to it (`credit_ledger`), and the `credits_used` a charge writes on its task.
 * `CreditsService` keeps the rules (which statements run in which transaction, and in what order);
 * its Sequelize adapter (the file of the same name in the adapters folder) runs the statements, and
 * `testing/in-memory-credit-ledger.ts` keeps them in memory for unit tests.
 */
import type { TransactionHandle } from '../shared/unit-of-work.js';

/** One `credit_ledger` row. */
export interface LedgerEntryRecord {
  id: string;
  user_id: string;
  /** grant | charge | refund */
  kind: string;
  /** Signed: grants and refunds are positive, charges negative. */
  amount: number;
  balance_after: number;
  /** Unique: `grant:<key>`, `charge:<task>`, `refund:<task>`. */
  idempotency_key: string;
  task_id: string | null;
  actor_id: string | null;
  note: string | null;
  created_at: Date;
}

/** A user as the staff credits screen lists them, with their identities and balance. */
export interface AccountHolderRecord {
  id: string;
  username: string | null;
  display_name: string | null;
  role: string;
  created_at: Date;
  /** Oldest first. */
  identities: Array<{ provider: string; subject: string }>;
  /** 0 when the user has no balance row. */
  balance: number;
}

/** An entry with this idempotency key is already in the ledger (the database's unique key said so). */
export class LedgerKeyTakenError extends Error {
  constructor(cause?: unknown) {
    super('A ledger entry with this idempotency key exists', { cause });
    this.name = 'LedgerKeyTakenError';
  }
}

export interface CreditLedgerRepository {
  /** The user's balance (0 without a balance row), read inside `transaction` when given. */
  balance(userId: string, transaction?: TransactionHandle): Promise<number>;
  hasAccount(userId: string): Promise<boolean>;
  /** Creates the balance row (0 MC) if missing, without racing another creator (INSERT … IGNORE). */
  ensureAccount(userId: string, at: Date, transaction: TransactionHandle): Promise<void>;
  /** Adds `amount` (may be negative) to the balance; false when the user has no balance row. */
  add(userId: string, amount: number, at: Date, transaction: TransactionHandle): Promise<boolean>;
  /**
   * The conditional debit: takes `amount` only while the balance covers it, in one statement
   * (`balance >= amount`), so the database decides who gets the last credits. False when it did not.
   */
  take(userId: string, amount: number, at: Date, transaction: TransactionHandle): Promise<boolean>;
  /**
   * Takes the balance row's lock for the rest of `transaction` (a write of `updated_at`); false when
   * the user has no balance row.
   */
  lockAccount(userId: string, at: Date, transaction: TransactionHandle): Promise<boolean>;
  /**
   * Appends an entry. Throws LedgerKeyTakenError when its idempotency key is in the ledger already
   * (possibly only once the other writer commits).
   */
  append(entry: LedgerEntryRecord, transaction: TransactionHandle): Promise<LedgerEntryRecord>;
  entryByKey(idempotencyKey: string): Promise<LedgerEntryRecord | null>;
  /** Whether an entry with this key exists (reads its id only). */
  hasEntry(idempotencyKey: string): Promise<boolean>;
  /** The user's latest entries, newest first. */
  latestEntries(userId: string, limit: number): Promise<LedgerEntryRecord[]>;
  /** Writes the task's `credits_used` (what it was charged; 0 once refunded). */
  setTaskCredits(taskId: string, credits: number, transaction: TransactionHandle): Promise<void>;
  userExists(userId: string): Promise<boolean>;
  /**
   * Users newest first, `offset`/`limit`; `q` matches the id exactly, or the username, display name
   * or an identity's subject as a substring (`%`, `_` act as wildcards).
   */
  accountHolders(query: {
    q?: string;
    limit: number;
    offset: number;
  }): Promise<{ records: AccountHolderRecord[]; total: number }>;
}
