import sqlite3 from 'sqlite3';
const db = new sqlite3.Database('/tmp/nbexp/exp.sqlite');
const run = (sql: string, params: unknown[] = []) => new Promise<void>((res, rej) => db.run(sql, params, (e) => (e ? rej(e) : res())));
const all = (sql: string, params: unknown[] = []) => new Promise<any[]>((res, rej) => db.all(sql, params, (e, rows) => (e ? rej(e) : res(rows))));
const has = await all("SELECT name FROM sqlite_master WHERE name='d'");
if (!has.length) {
  await run(`CREATE VIRTUAL TABLE d USING fts5(task_id UNINDEXED, body)`);
  await run(`INSERT INTO d(rowid, task_id, body) SELECT rowid, task_id, body || ' _oanon0000_' FROM a`);
  await run(`INSERT INTO d(d) VALUES ('optimize')`);
}
const time = async (label: string, sql: string, params: unknown[]) => {
  await all(sql, params);
  const samples: number[] = [];
  for (let i = 0; i < 9; i++) { const s = performance.now(); await all(sql, params); samples.push(performance.now() - s); }
  samples.sort((x, y) => x - y);
  console.log(label.padEnd(36), 'median', samples[4]!.toFixed(2), 'ms');
};
for (const q of ['"vlog"', '"猫"', '"女孩"', '"油画" "女孩"']) {
  console.log(q);
  const m = `"oanon0000" AND (${q})`;
  await time('D count owner token', `SELECT count(*) FROM d WHERE d MATCH ?`, [m]);
  await time('D full rank owner token', `SELECT task_id FROM d WHERE d MATCH ? ORDER BY rank LIMIT 10`, [m]);
  await time('D window1000 rank owner token', `SELECT task_id FROM (SELECT task_id, rank AS score, rowid AS r FROM d WHERE d MATCH ? ORDER BY rowid DESC LIMIT 1000) ORDER BY score, r DESC LIMIT 10`, [m]);
  await time('D window2000 rank owner token', `SELECT task_id FROM (SELECT task_id, rank AS score, rowid AS r FROM d WHERE d MATCH ? ORDER BY rowid DESC LIMIT 2000) ORDER BY score, r DESC LIMIT 10`, [m]);
  await time('A count owner col', `SELECT count(*) FROM a WHERE a MATCH ? AND owner_key='anon'`, [q]);
  await time('A full rank owner col', `SELECT task_id FROM a WHERE a MATCH ? AND owner_key='anon' ORDER BY rank LIMIT 10`, [q]);
}
