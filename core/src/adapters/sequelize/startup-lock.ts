import path from 'node:path';
import lockfile from 'proper-lockfile';
import { QueryTypes, type Sequelize } from 'sequelize';
import { dialectOf } from './database.js';

/** How long a process waits for another one's start-up work (migrations, first admin, demo data). */
const WAIT_MS = 120_000;

/**
 * Runs start-up work (migrations, first admin, demo data) while holding a lock that every
 * Dreamloom process on the same database takes, so any number of servers and workers may start
 * at once in any order: the first migrates and seeds, the others wait and then find nothing to do.
 *
 * - MySQL/MariaDB: `GET_LOCK`, named after the database (lock names are server-wide). It belongs to
 *   one connection, so it is taken and released inside a transaction that pins its connection;
 *   the work itself runs on the pool's other connections. A crashed holder's lock ends with its
 *   connection.
 * - SQLite: a lock beside the database file (proper-lockfile: an atomic mkdir, refreshed while
 *   held and taken over once stale, so a killed process does not block the next start). An SQLite
 *   transaction cannot serve here: Sequelize gives each transaction its own connection, and an
 *   exclusive one would block the migrations' own statements.
 */
export async function withStartupLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  if (dialectOf(sequelize) === 'mysql') return withMysqlLock(sequelize, work);
  // Sequelize keeps the SQLite file in its options but does not type them.
  const storage = (sequelize as unknown as { options: { storage?: string } }).options.storage;
  if (!storage || storage === ':memory:') return work();
  return withFileLock(path.resolve(storage), work);
}

async function withMysqlLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  const name = `dreamloom-startup:${sequelize.getDatabaseName()}`.slice(0, 64);
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<{ acquired: number | null }>(
      'SELECT GET_LOCK(:name, :seconds) AS acquired',
      { replacements: { name, seconds: WAIT_MS / 1000 }, type: QueryTypes.SELECT, transaction },
    );
    if (Number(row?.acquired) !== 1)
      throw new Error(`Another process held the start-up lock ${name} for over ${WAIT_MS / 1000} s`);
    try {
      return await work();
    } finally {
      await sequelize.query('SELECT RELEASE_LOCK(:name)', { replacements: { name }, transaction });
    }
  });
}

async function withFileLock<T>(databaseFile: string, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(databaseFile, {
    // The database file may not exist yet: lock its path as written.
    realpath: false,
    lockfilePath: `${databaseFile}.startup-lock`,
    stale: 15_000,
    update: 5_000,
    retries: { retries: WAIT_MS / 250, factor: 1, minTimeout: 250, maxTimeout: 250 },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}
