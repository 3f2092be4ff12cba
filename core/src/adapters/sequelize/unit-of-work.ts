/**
 * The Sequelize unit of work (port: shared/unit-of-work.ts). SQLite has one writer at a time:
 * letting dozens of requests race for its lock ends in busy-wait retries that take seconds, so a
 * unit queues its own transactions in this process instead (other processes still meet at SQLite's
 * lock). MySQL/MariaDB run them concurrently; with `retryDeadlocks`, a transaction rolled back by a
 * deadlock or a lock-wait timeout is run again after a short random pause.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { Logger } from '../../shared/logger.js';
import type { TransactionHandle, UnitOfWork } from '../../shared/unit-of-work.js';

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const ATTEMPTS = 5;

export interface SequelizeUnitOfWorkOptions {
  /** Retry deadlocked transactions on MySQL/MariaDB (the work must be safe to run again). */
  retryDeadlocks?: { logger: Logger; label: string };
}

export function sequelizeUnitOfWork(
  sequelize: Sequelize,
  options: SequelizeUnitOfWorkOptions = {},
): UnitOfWork {
  let sqliteTail: Promise<unknown> = Promise.resolve();
  const once = <T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> =>
    sequelize.transaction((transaction) => work(transaction));

  return {
    async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
      if (sequelize.getDialect() === 'sqlite') {
        const run = sqliteTail.then(() => once(work));
        sqliteTail = run.catch(() => undefined);
        return run;
      }
      const retry = options.retryDeadlocks;
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await once(work);
        } catch (error) {
          const code = (error as { parent?: { code?: string } }).parent?.code;
          if (!retry || !code || !RETRYABLE.has(code) || attempt >= ATTEMPTS) throw error;
          retry.logger.warn({ code, attempt }, `${retry.label} transaction retried`);
          // A short random pause, so the transactions that collided do not collide again at once.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        }
      }
    },
  };
}

/** The Sequelize transaction behind a handle this adapter opened (for adapters only). */
export function sequelizeTransaction(handle: TransactionHandle | undefined): Transaction | undefined {
  return handle as Transaction | undefined;
}
