import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import {
  type NanobananaSearchIndex,
  type SearchDocument,
  type SearchPage,
} from '../../nanobanana/nanobanana-search.port.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import { sequelizeTransaction } from './unit-of-work.js';
import { BLOCK_SIZE, ENTRY_BYTES, blockOf, decodeBlock, encodeBlock, type Posting } from './posting-block.js';

/** Longest stored term (characters); longer tokens are cut the same way when indexed and queried. */
export const MAX_TERM_LENGTH = 64;
/** BM25 parameters (the usual ones, as FTS5's bm25() uses). */
const K1 = 1.2;
const B = 0.75;
/** Rows per multi-row statement: well under max_allowed_packet, few round trips. */
const CHUNK = 500;

/**
 * The stored form of a token: NFKC (full-width → ASCII) with accents dropped from Latin letters,
 * cut to MAX_TERM_LENGTH characters. Terms compare in binary, so the folding that a `_ci`
 * collation would do happens here, identically at write and at read time.
 */
export function postingTerm(token: string): string {
  const folded = token
    .normalize('NFKD')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
    .normalize('NFKC');
  return [...folded].slice(0, MAX_TERM_LENGTH).join('');
}

const blockKey = (term: string, owner: string, block: number) => `${term}\u0000${owner}\u0000${block}`;

/**
 * MySQL/MariaDB: an inverted index in InnoDB tables (migration 0007) instead of FULLTEXT.
 *
 * - `nanobanana_search_blocks (term, owner_key, block) → entries`: the postings of one term in
 *   one workspace, packed per range of 4096 `seq`s (see posting-block.ts); a query reads a few
 *   rows per term (25 for 100k tasks) in one statement and intersects, counts and ranks in
 *   memory, so its cost hardly depends on how many tasks match;
 * - `nanobanana_search_docs (seq, task_id, terms)`: the insertion order (newest = highest seq)
 *   and the terms a delete has to take out again;
 * - `nanobanana_search_owners (owner_key) → docs, tokens`: N and the average length for BM25.
 *
 * InnoDB FULLTEXT costs several µs per matching document whatever the query (35–110 ms for a
 * term in 10% of 100k prompts), and one row per posting costs 1–6 µs per row read or probed.
 * Writes read-modify-write the blocks they touch under row locks, in the caller's transaction.
 */
export class PostingSearchIndex implements NanobananaSearchIndex {
  constructor(
    private readonly sequelize: Sequelize,
    /** How many of the newest matches are ordered by relevance; later pages go newest first. */
    private readonly relevanceWindow: number,
  ) {}

  private escape(value: string | number | Buffer): string {
    return this.sequelize.escape(value as string);
  }

  async add(documents: SearchDocument[], handle: TransactionHandle): Promise<void> {
    if (documents.length === 0) return;
    const transaction = sequelizeTransaction(handle)!;
    const prepared = documents.map((doc) => {
      const frequencies = new Map<string, number>();
      for (const token of doc.tokens) {
        const term = postingTerm(token);
        if (term) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      }
      return { ...doc, frequencies, length: doc.tokens.length };
    });
    // The workspace totals row first: it is every index writer's first lock, so writers of one
    // workspace queue here instead of deadlocking on the gaps between block rows.
    const totals = new Map<string, { docs: number; tokens: number }>();
    for (const doc of prepared) {
      const total = totals.get(doc.ownerKey) ?? { docs: 0, tokens: 0 };
      totals.set(doc.ownerKey, { docs: total.docs + 1, tokens: total.tokens + doc.length });
    }
    await this.adjustTotals(totals, transaction);
    for (let start = 0; start < prepared.length; start += CHUNK) {
      const rows = prepared
        .slice(start, start + CHUNK)
        .map(
          (doc) =>
            `(${this.escape(doc.taskId)}, ${this.escape(doc.ownerKey)}, ${Math.min(doc.length, 65_535)}, ${this.escape([...doc.frequencies.keys()].join(' '))})`,
        );
      await this.sequelize.query(
        `INSERT INTO nanobanana_search_docs (task_id, owner_key, doc_len, terms) VALUES ${rows.join(', ')}`,
        { transaction },
      );
    }
    const seqOf = new Map<string, number>();
    for (let start = 0; start < prepared.length; start += CHUNK) {
      const found = await this.sequelize.query<{ seq: string; task_id: string }>(
        'SELECT seq, task_id FROM nanobanana_search_docs WHERE task_id IN (:ids)',
        {
          type: QueryTypes.SELECT,
          replacements: { ids: prepared.slice(start, start + CHUNK).map((doc) => doc.taskId) },
          transaction,
        },
      );
      for (const row of found) seqOf.set(row.task_id, Number(row.seq));
    }
    const changes: Change[] = [];
    for (const doc of prepared) {
      const seq = seqOf.get(doc.taskId)!;
      for (const [term, tf] of doc.frequencies)
        changes.push({ term, owner: doc.ownerKey, add: { seq, tf, length: doc.length } });
    }
    await this.applyChanges(changes, transaction);
  }

  async remove(taskIds: string[], handle: TransactionHandle): Promise<void> {
    if (taskIds.length === 0) return;
    const transaction = sequelizeTransaction(handle)!;
    // The workspace totals rows first, as in `add`.
    await this.sequelize.query(
      `SELECT owner_key FROM nanobanana_search_owners WHERE owner_key IN (
         SELECT owner_key FROM nanobanana_search_docs WHERE task_id IN (:taskIds)
       ) ORDER BY owner_key FOR UPDATE`,
      { type: QueryTypes.SELECT, replacements: { taskIds }, transaction },
    );
    // Locking read: a concurrent remove of the same task waits here instead of removing it twice.
    const docs = await this.sequelize.query<{
      seq: string;
      owner_key: string;
      doc_len: number;
      terms: string;
    }>(
      'SELECT seq, owner_key, doc_len, terms FROM nanobanana_search_docs WHERE task_id IN (:taskIds) FOR UPDATE',
      { type: QueryTypes.SELECT, replacements: { taskIds }, transaction },
    );
    if (docs.length === 0) return;
    const changes: Change[] = [];
    const totals = new Map<string, { docs: number; tokens: number }>();
    for (const doc of docs) {
      for (const term of doc.terms ? doc.terms.split(' ') : [])
        changes.push({ term, owner: doc.owner_key, removeSeq: Number(doc.seq) });
      const total = totals.get(doc.owner_key) ?? { docs: 0, tokens: 0 };
      totals.set(doc.owner_key, { docs: total.docs - 1, tokens: total.tokens - Number(doc.doc_len) });
    }
    await this.applyChanges(changes, transaction);
    await this.adjustTotals(totals, transaction);
    await this.sequelize.query('DELETE FROM nanobanana_search_docs WHERE seq IN (:seqs)', {
      replacements: { seqs: docs.map((doc) => doc.seq) },
      transaction,
    });
  }

  /** Reads the touched blocks with row locks, edits them in memory, writes them back. */
  private async applyChanges(changes: Change[], transaction: Transaction): Promise<void> {
    // Grouped per workspace and block so each locking read is a handful of primary-key points.
    const groups = new Map<string, { owner: string; block: number; terms: Set<string> }>();
    for (const change of changes) {
      const block = blockOf(change.add?.seq ?? change.removeSeq!);
      const key = `${change.owner}\u0000${block}`;
      const group = groups.get(key) ?? { owner: change.owner, block, terms: new Set<string>() };
      group.terms.add(change.term);
      groups.set(key, group);
    }
    const current = new Map<string, Posting[]>();
    for (const group of groups.values()) {
      const terms = [...group.terms];
      for (let start = 0; start < terms.length; start += CHUNK) {
        const rows = await this.sequelize.query<{ term: string; entries: Buffer }>(
          `SELECT term, entries FROM nanobanana_search_blocks
           WHERE term IN (:terms) AND owner_key = :owner AND block = :block FOR UPDATE`,
          {
            type: QueryTypes.SELECT,
            replacements: {
              terms: terms.slice(start, start + CHUNK),
              owner: group.owner,
              block: group.block,
            },
            transaction,
          },
        );
        for (const row of rows)
          current.set(blockKey(row.term, group.owner, group.block), decodeBlock(group.block, row.entries));
      }
    }
    const edited = new Map<string, EditedBlock>();
    for (const change of changes) {
      const block = blockOf(change.add?.seq ?? change.removeSeq!);
      const key = blockKey(change.term, change.owner, block);
      const entry = edited.get(key) ?? {
        term: change.term,
        owner: change.owner,
        block,
        postings: current.get(key) ?? [],
      };
      entry.postings = change.add
        ? [...entry.postings.filter((posting) => posting.seq !== change.add!.seq), change.add]
        : entry.postings.filter((posting) => posting.seq !== change.removeSeq);
      edited.set(key, entry);
    }
    const upserts: string[] = [];
    const emptied: EditedBlock[] = [];
    for (const entry of edited.values()) {
      if (entry.postings.length === 0) emptied.push(entry);
      else
        upserts.push(
          `(${this.escape(entry.term)}, ${this.escape(entry.owner)}, ${entry.block}, ${this.escape(encodeBlock(entry.postings))})`,
        );
    }
    for (let start = 0; start < upserts.length; start += CHUNK)
      await this.sequelize.query(
        `INSERT INTO nanobanana_search_blocks (term, owner_key, block, entries)
         VALUES ${upserts.slice(start, start + CHUNK).join(', ')}
         ON DUPLICATE KEY UPDATE entries = VALUES(entries)`,
        { transaction },
      );
    for (const entry of emptied)
      await this.sequelize.query(
        'DELETE FROM nanobanana_search_blocks WHERE term = :term AND owner_key = :owner AND block = :block',
        { replacements: { term: entry.term, owner: entry.owner, block: entry.block }, transaction },
      );
  }

  private async adjustTotals(
    totals: Map<string, { docs: number; tokens: number }>,
    transaction: Transaction,
  ): Promise<void> {
    const rows = [...totals]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([owner, { docs, tokens }]) => `(${this.escape(owner)}, ${docs}, ${tokens})`);
    if (rows.length === 0) return;
    await this.sequelize.query(
      `INSERT INTO nanobanana_search_owners (owner_key, docs, tokens) VALUES ${rows.join(', ')}
       ON DUPLICATE KEY UPDATE docs = docs + VALUES(docs), tokens = tokens + VALUES(tokens)`,
      { transaction },
    );
  }

  async search(
    ownerKey: string | null,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<SearchPage> {
    const terms = [...new Set(tokens.map(postingTerm).filter(Boolean))];
    if (terms.length === 0) return { ids: [], total: 0 };
    const ownerSql = ownerKey === null ? '' : ' AND owner_key = :owner';
    // One statement, so every term's blocks and the totals come from one consistent snapshot.
    const rows = await this.sequelize.query<{
      term: string;
      owner_key: string;
      block: number;
      entries: Buffer;
      docs: string;
      tokens: string;
    }>(
      `SELECT term, owner_key, block, entries,
         (SELECT SUM(docs) FROM nanobanana_search_owners WHERE 1 = 1${ownerSql}) AS docs,
         (SELECT SUM(tokens) FROM nanobanana_search_owners WHERE 1 = 1${ownerSql}) AS tokens
       FROM nanobanana_search_blocks WHERE term IN (:terms)${ownerSql}`,
      { type: QueryTypes.SELECT, replacements: { terms, owner: ownerKey } },
    );
    if (rows.length === 0) return { ids: [], total: 0 };
    const documents = Number(rows[0]!.docs);
    const averageLength = Math.max(1, Number(rows[0]!.tokens) / Math.max(1, documents));

    // term → "owner\0block" → packed entries (read in place, never decoded into objects).
    const byTerm = new Map<string, Map<string, Buffer>>(terms.map((term) => [term, new Map()]));
    const df = new Map<string, number>(terms.map((term) => [term, 0]));
    for (const row of rows) {
      byTerm.get(row.term)?.set(`${row.owner_key}\u0000${row.block}`, row.entries);
      df.set(row.term, (df.get(row.term) ?? 0) + row.entries.length / ENTRY_BYTES);
    }
    // The rarest term drives; every other term is walked alongside it, block by block, newest first.
    const order = [...terms].sort((a, b) => df.get(a)! - df.get(b)!);
    const driver = byTerm.get(order[0]!)!;
    const others = order.slice(1).map((term) => byTerm.get(term)!);
    // Workspaces' blocks interleave for admins: collect every match and sort; otherwise the walk
    // is already newest first and only the matches a page can show are kept.
    const needed = ownerKey === null ? Infinity : Math.max(this.relevanceWindow, offset + limit);
    const matches: Match[] = [];
    let total = 0;
    const keys = [...driver.keys()].sort((a, b) => blockNumber(b) - blockNumber(a));
    for (const key of keys) {
      const block = blockNumber(key);
      const driving = driver.get(key)!;
      const count = driving.length / ENTRY_BYTES;
      if (others.length === 0) {
        total += count;
        for (let index = count - 1; index >= 0 && matches.length < needed; index -= 1)
          matches.push(match(driving, index, block, []));
        continue;
      }
      const lists = others.map((postings) => postings.get(key));
      if (lists.some((list) => !list)) continue;
      const cursors = lists.map((list) => list!.length / ENTRY_BYTES - 1);
      for (let index = count - 1; index >= 0; index -= 1) {
        const at = driving.readUInt16LE(index * ENTRY_BYTES);
        let all = true;
        for (let other = 0; other < lists.length && all; other += 1) {
          const list = lists[other]!;
          while (cursors[other]! >= 0 && list.readUInt16LE(cursors[other]! * ENTRY_BYTES) > at)
            cursors[other]! -= 1;
          all = cursors[other]! >= 0 && list.readUInt16LE(cursors[other]! * ENTRY_BYTES) === at;
        }
        if (!all) continue;
        total += 1;
        if (matches.length < needed)
          matches.push(
            match(
              driving,
              index,
              block,
              lists.map((list, other) => list![cursors[other]! * ENTRY_BYTES + 2]!),
            ),
          );
      }
    }
    if (ownerKey === null) matches.sort((a, b) => b.seq - a.seq);
    const idf = order.map((term) => Math.log(1 + (documents - df.get(term)! + 0.5) / (df.get(term)! + 0.5)));
    const page: number[] = [];
    if (offset < this.relevanceWindow) {
      const ranked = matches.slice(0, this.relevanceWindow).map((hit) => {
        const norm = K1 * (1 - B + (B * hit.length) / averageLength);
        const score = hit.tfs.reduce(
          (sum, tf, index) => sum + (idf[index]! * tf * (K1 + 1)) / (tf + norm),
          0,
        );
        return { seq: hit.seq, score };
      });
      ranked.sort((a, b) => b.score - a.score || b.seq - a.seq);
      page.push(
        ...ranked.slice(offset, Math.min(offset + limit, this.relevanceWindow)).map((hit) => hit.seq),
      );
    }
    if (offset + limit > this.relevanceWindow) {
      const start = Math.max(offset, this.relevanceWindow);
      page.push(...matches.slice(start, offset + limit).map((hit) => hit.seq));
    }
    if (page.length === 0) return { ids: [], total };
    const mapped = await this.sequelize.query<{ seq: string; task_id: string }>(
      'SELECT seq, task_id FROM nanobanana_search_docs WHERE seq IN (:page)',
      { type: QueryTypes.SELECT, replacements: { page } },
    );
    const taskOf = new Map(mapped.map((row) => [Number(row.seq), row.task_id]));
    const ids = page.map((seq) => taskOf.get(seq)).filter((id): id is string => !!id);
    return { ids, total };
  }
}

interface EditedBlock {
  term: string;
  owner: string;
  block: number;
  postings: Posting[];
}

interface Change {
  term: string;
  owner: string;
  add?: Posting;
  removeSeq?: number;
}

const blockNumber = (key: string) => Number(key.slice(key.lastIndexOf('\u0000') + 1));

interface Match {
  seq: number;
  /** Term frequencies, in the order of the terms by rarity. */
  tfs: number[];
  length: number;
}

/** The match at `index` of a packed block, with the other terms' frequencies. */
function match(entries: Buffer, index: number, block: number, otherTfs: number[]): Match {
  const at = index * ENTRY_BYTES;
  return {
    seq: block * BLOCK_SIZE + entries.readUInt16LE(at),
    tfs: [entries[at + 2]!, ...otherTfs],
    length: entries[at + 3]!,
  };
}
