import type { TransactionHandle, UnitOfWork } from '../../shared/unit-of-work.js';

/**
 * A unit of work for unit tests on in-memory repositories: runs the work at once and, when it
 * succeeds, its after-commit callbacks. Nothing rolls back (the fakes keep no transaction state).
 */
export function immediateUnitOfWork(): UnitOfWork & { runs: number } {
  const unit = {
    runs: 0,
    async run<T>(work: (transaction: TransactionHandle) => Promise<T>): Promise<T> {
      unit.runs += 1;
      const committed: Array<() => void | Promise<void>> = [];
      const result = await work({ afterCommit: (callback) => void committed.push(callback) });
      for (const callback of committed) await callback();
      return result;
    },
  };
  return unit;
}
