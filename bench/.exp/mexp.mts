import mysql from 'mysql2/promise';
import { SearchTokenizer } from '../../core/src/nanobanana/search-text.ts';
import { promptGenerator } from '../search/prompts.ts';

const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', multipleStatements: true });
await c.query('CREATE DATABASE IF NOT EXISTS nbexp CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
await c.query('USE nbexp');
const [exists] = await c.query<any[]>("SHOW TABLES LIKE 't'");
if (!exists.length) {
  await c.query('CREATE TABLE t (task_id VARCHAR(36) PRIMARY KEY, owner_key VARCHAR(36), search_text TEXT, created_at DATETIME(3), FULLTEXT KEY ft (search_text)) ENGINE=InnoDB');
  const tok = new SearchTokenizer();
  const next = promptGenerator(42);
  for (let o = 0; o < 100000; o += 2000) {
    const rows = [];
    for (let i = o; i < o + 2000; i++) rows.push([`t${String(i).padStart(6, '0')}`, 'anon', tok.indexText(next()) + ' _oanon0000_', new Date(Date.now() - (100000 - i) * 1000)]);
    await c.query('INSERT INTO t VALUES ?', [rows]);
  }
  await c.query('OPTIMIZE TABLE t');
}
const time = async (label: string, sql: string, params: unknown[]) => {
  await c.query(sql, params);
  const s = performance.now();
  for (let i = 0; i < 5; i++) await c.query(sql, params);
  console.log(label.padEnd(36), ((performance.now() - s) / 5).toFixed(2), 'ms');
};
for (const q of ['+_vlog_', '+_猫_', '+_女孩_']) {
  console.log(q);
  await time('score order + owner col', `SELECT task_id, MATCH(search_text) AGAINST(? IN BOOLEAN MODE) s FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE) AND owner_key='anon' ORDER BY s DESC, created_at DESC LIMIT 10`, [q, q]);
  await time('score order only', `SELECT task_id, MATCH(search_text) AGAINST(? IN BOOLEAN MODE) s FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE) ORDER BY s DESC LIMIT 10`, [q, q]);
  await time('score order owner token', `SELECT task_id, MATCH(search_text) AGAINST(? IN BOOLEAN MODE) s FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE) ORDER BY s DESC LIMIT 10`, [`${q} +_oanon0000_`, `${q} +_oanon0000_`]);
  await time('count owner col', `SELECT COUNT(*) FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE) AND owner_key='anon'`, [q]);
  await time('count match only', `SELECT COUNT(*) FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE)`, [q]);
  await time('count owner token', `SELECT COUNT(*) FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE)`, [`${q} +_oanon0000_`]);
  await time('count via subquery ids', `SELECT COUNT(*) FROM (SELECT 1 FROM t WHERE MATCH(search_text) AGAINST(? IN BOOLEAN MODE)) x`, [q]);
}
await c.end();
