import mysql from 'mysql2/promise';
const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'nbexp' });
const [exists] = await c.query<any[]>("SHOW TABLES LIKE 'a'");
if (!exists.length) {
  await c.query("CREATE TABLE a (task_id VARCHAR(36) PRIMARY KEY, owner_key VARCHAR(36), body MEDIUMTEXT, created_at DATETIME(3), FULLTEXT KEY ft (body)) ENGINE=Aria DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci");
  await c.query("INSERT INTO a SELECT task_id, owner_key, REGEXP_REPLACE(search_text, '_(\\\\S+)_', '__\\\\1__'), created_at FROM t");
}
const [[sample]] = await c.query<any[]>('SELECT body FROM a LIMIT 1');
console.log(sample.body.slice(0, 80));
const time = async (label: string, sql: string, params: unknown[]) => {
  const [r] = await c.query<any[]>(sql, params);
  const s = performance.now();
  for (let i = 0; i < 5; i++) await c.query(sql, params);
  console.log(label.padEnd(36), ((performance.now() - s) / 5).toFixed(2), 'ms', JSON.stringify(r[0]).slice(0, 60), r.length);
};
for (const q of ['+__vlog__', '+__猫__', '+__女孩__', '+__油画__ +__女孩__']) {
  console.log(q);
  await time('aria score order + owner col', `SELECT task_id, MATCH(body) AGAINST(? IN BOOLEAN MODE) s FROM a WHERE MATCH(body) AGAINST(? IN BOOLEAN MODE) AND owner_key='anon' ORDER BY s DESC, created_at DESC LIMIT 10`, [q, q]);
  await time('aria score order only', `SELECT task_id, MATCH(body) AGAINST(? IN BOOLEAN MODE) s FROM a WHERE MATCH(body) AGAINST(? IN BOOLEAN MODE) ORDER BY s DESC LIMIT 10`, [q, q]);
  await time('aria count owner col', `SELECT COUNT(*) FROM a WHERE MATCH(body) AGAINST(? IN BOOLEAN MODE) AND owner_key='anon'`, [q]);
  await time('aria count match only', `SELECT COUNT(*) FROM a WHERE MATCH(body) AGAINST(? IN BOOLEAN MODE)`, [q]);
}
await c.end();
