import { existsSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { SearchTokenizer } from '/work/main/core/src/nanobanana/search-text.ts';
import { promptGenerator } from '/work/main/bench/search/prompts.ts';

const file = '/tmp/nbexp/exp.sqlite';
const fresh = !existsSync(file);
const db = new sqlite3.Database(file);
const run = (sql: string, params: unknown[] = []) => new Promise<void>((res, rej) => db.run(sql, params, (e) => (e ? rej(e) : res())));
const all = (sql: string, params: unknown[] = []) => new Promise<any[]>((res, rej) => db.all(sql, params, (e, rows) => (e ? rej(e) : res(rows))));
const tok = new SearchTokenizer();
if (fresh) {
  await run(`CREATE VIRTUAL TABLE a USING fts5(task_id UNINDEXED, owner_key UNINDEXED, body)`);
  await run(`CREATE VIRTUAL TABLE b USING fts5(task_id UNINDEXED, owner, body, detail=column)`);
  await run(`CREATE VIRTUAL TABLE c USING fts5(owner, body, content='', contentless_delete=1)`).catch((e) => console.log('c:', e.message));
  const next = promptGenerator(42);
  await run('BEGIN');
  for (let i = 0; i < 100000; i++) {
    const body = tok.indexText(next());
    await run('INSERT INTO a(rowid, task_id, owner_key, body) VALUES (?,?,?,?)', [i + 1, `t${i}`, 'anon', body]);
    await run('INSERT INTO b(rowid, task_id, owner, body) VALUES (?,?,?,?)', [i + 1, `t${i}`, 'oanon', body]);
    await run('INSERT INTO c(rowid, owner, body) VALUES (?,?,?)', [i + 1, 'oanon', body]).catch(() => undefined);
  }
  await run('COMMIT');
  for (const t of ['a', 'b', 'c']) await run(`INSERT INTO ${t}(${t}) VALUES ('optimize')`).catch(() => undefined);
}
const time = async (label: string, fn: () => Promise<unknown>) => {
  await fn();
  const s = performance.now();
  for (let i = 0; i < 5; i++) await fn();
  console.log(label.padEnd(40), ((performance.now() - s) / 5).toFixed(2), 'ms');
};
for (const q of ['"vlog"', '"猫"', '"女孩"']) {
  console.log('query', q);
  await time('A ids owner filter rank', () => all(`SELECT task_id FROM a WHERE a MATCH ? AND owner_key = 'anon' ORDER BY rank LIMIT 10`, [q]));
  await time('A count owner filter', () => all(`SELECT count(*) FROM a WHERE a MATCH ? AND owner_key='anon'`, [q]));
  await time('A ids no filter rank', () => all(`SELECT task_id FROM a WHERE a MATCH ? ORDER BY rank LIMIT 10`, [q]));
  await time('A rowid no filter rank', () => all(`SELECT rowid FROM a WHERE a MATCH ? ORDER BY rank LIMIT 10`, [q]));
  await time('A count no filter', () => all(`SELECT count(*) FROM a WHERE a MATCH ?`, [q]));
  await time('A rowid no rank', () => all(`SELECT rowid FROM a WHERE a MATCH ? ORDER BY rowid DESC LIMIT 10`, [q]));
  await time('B owner col rank (detail=column)', () => all(`SELECT rowid FROM b WHERE b MATCH ? ORDER BY rank LIMIT 10`, [`owner:oanon AND body:${q}`]));
  await time('B count', () => all(`SELECT count(*) FROM b WHERE b MATCH ?`, [`owner:oanon AND body:${q}`]));
  await time('C contentless rank', () => all(`SELECT rowid FROM c WHERE c MATCH ? ORDER BY rank LIMIT 10`, [`owner:oanon AND body:${q}`]).catch((e) => console.log(e.message)));
  await time('C contentless count', () => all(`SELECT count(*) FROM c WHERE c MATCH ?`, [`owner:oanon AND body:${q}`]).catch(() => 0));
  await time('C bm25 body only', () => all(`SELECT rowid FROM c WHERE c MATCH ? ORDER BY bm25(c, 0.0, 1.0) LIMIT 10`, [`owner:oanon AND body:${q}`]).catch(() => 0));
}
