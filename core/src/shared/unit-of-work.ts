/**
 * One database transaction, as core sees it: a handle it passes on to the repositories whose
 * writes must commit (or roll back) together, and a way to run work after the commit. Core never
 * reads the handle; only the adapter that opened it does (adapters/sequelize/unit-of-work.ts).
 */
export interface TransactionHandle {
  /** Runs `callback` once the transaction has committed (never if it rolls back). */
  afterCommit(callback: () => void | Promise<void>): void;
}

/**
 * Runs work in one transaction. Each consumer gets its own unit of work, because on SQLite a unit
 * queues its own transactions (one writer at a time): sharing one queue between services would
 * make a transaction that calls another service's wait for itself.
 */
export interface UnitOfWork {
  run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T>;
}
