import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export interface ClusterDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * The cluster's own MariaDB database (`dl_cluster_<random>`), created empty (the first nodes to
 * start migrate it, under the start-up lock) and dropped when the cluster stops. `adminUrl`
 * names a user that may create databases; its path is ignored.
 */
export async function createClusterDatabase(adminUrl: string): Promise<ClusterDatabase> {
  const admin = new URL(adminUrl);
  const name = `dl_cluster_${randomBytes(4).toString('hex')}`;
  const connect = () =>
    mysql.createConnection({
      host: admin.hostname,
      port: Number(admin.port || 3306),
      user: decodeURIComponent(admin.username),
      password: decodeURIComponent(admin.password),
    });
  const connection = await connect();
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const dropper = await connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await dropper.end();
      }
    },
  };
}
