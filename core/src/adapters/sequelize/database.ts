import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Sequelize, Transaction, type Options } from 'sequelize';

export type DatabaseDialect = 'sqlite' | 'mysql';

/**
 * Opens the database named by DATABASE_URL: `sqlite:<file>` (embedded default) or
 * `mysql://…` / `mariadb://…` (served through mysql2; MariaDB speaks the MySQL protocol).
 */
export function createSequelize(
  databaseUrl: string,
  options: { logging?: (sql: string) => void } = {},
): Sequelize {
  const logging = options.logging ?? false;
  if (databaseUrl.startsWith('sqlite:')) {
    const storage = databaseUrl.slice('sqlite:'.length);
    if (storage !== ':memory:') mkdirSync(path.dirname(path.resolve(storage)), { recursive: true });
    const sequelize = new Sequelize({
      dialect: 'sqlite',
      storage,
      logging,
      // Server and worker are separate processes on one file: take the write lock at BEGIN so two
      // transactions never deadlock upgrading read locks (SQLite would answer SQLITE_BUSY at once).
      transactionType: Transaction.TYPES.IMMEDIATE,
      // Short busy waits plus retries, not one long wait: node-sqlite3 runs statements on libuv's
      // small thread pool, and statements sleeping in SQLite's busy handler there would starve the
      // very COMMIT they wait for (a stall until the timeout). Retrying frees the thread meanwhile.
      retry: { max: 40, match: [/SQLITE_BUSY/], backoffBase: 20, backoffExponent: 1.15 },
    } satisfies Options);
    configureSqliteConnections(sequelize);
    return sequelize;
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  return new Sequelize(
    url.pathname.slice(1),
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
    {
      dialect: 'mysql',
      host: url.hostname,
      port: Number(url.port || 3306),
      logging,
      timezone: '+00:00',
      dialectOptions: { charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: true },
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
      pool: { max: 25, min: 0, idle: 10_000 },
    },
  );
}

export function dialectOf(sequelize: Sequelize): DatabaseDialect {
  return sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql';
}

/**
 * Sequelize opens one SQLite connection per transaction and offers no afterConnect hook for
 * this dialect, so every new connection gets a busy timeout here; WAL lets readers in the
 * server proceed while the worker writes.
 */
function configureSqliteConnections(sequelize: Sequelize): void {
  type SqliteConnection = { configure(option: 'busyTimeout', ms: number): void; run(sql: string): void };
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteConnection>;
  };
  const configured = new WeakSet<object>();
  const original = manager.getConnection.bind(manager);
  manager.getConnection = async (options?: unknown) => {
    const connection = await original(options);
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure('busyTimeout', 150);
      connection.run('PRAGMA journal_mode = WAL');
      connection.run('PRAGMA synchronous = NORMAL');
    }
    return connection;
  };
}
