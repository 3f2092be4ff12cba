import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';

/** MariaDB for tests: root on 127.0.0.1 with an empty password unless TEST_MYSQL_URL says otherwise. */
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database per test file, dropped afterwards. */
export async function createTestDatabase(kind: 'sqlite' | 'mariadb'): Promise<TestDatabase> {
  const suffix = randomBytes(4).toString('hex');
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dreamloom-sqlite-'));
    return {
      url: `sqlite:${path.join(dir, `test-${suffix}.sqlite`)}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new URL(MYSQL_ADMIN_URL);
  const name = `dl_test_${suffix}`;
  const connection = await mysql.createConnection({
    host: admin.hostname,
    port: Number(admin.port || 3306),
    user: decodeURIComponent(admin.username),
    password: decodeURIComponent(admin.password),
  });
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.end();
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = await mysql.createConnection({
        host: admin.hostname,
        port: Number(admin.port || 3306),
        user: decodeURIComponent(admin.username),
        password: decodeURIComponent(admin.password),
      });
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await dropper.end();
    },
  };
}
