import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import {
  pageAcrossWindow,
  type NanobananaSearchIndex,
  type SearchDocument,
  type SearchPage,
} from '../../nanobanana/nanobanana-search.port.js';

/** Longest stored term (characters); longer tokens are cut the same way when indexed and queried. */
export const MAX_TERM_LENGTH = 64;
/** BM25 parameters (the usual ones, as FTS5's bm25() uses). */
const K1 = 1.2;
const B = 0.75;
/** Rows per multi-row INSERT: well under max_allowed_packet, few round trips. */
const INSERT_CHUNK = 2000;
/** Documents per DELETE: their terms × seqs become point ranges of the primary key. */
const DELETE_CHUNK = 20;

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

/** utf8mb4_bin order (code points), so every transaction locks counter rows in the same order. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface TermStats {
  docs: number;
  tokens: number;
}

/**
 * MySQL/MariaDB: an inverted index in three InnoDB tables (migration 0007) instead of FULLTEXT.
 *
 * - `nanobanana_search_postings (term, owner_key, seq)` primary key, with the term frequency and
 *   document length: one term of one workspace is a contiguous clustered range, newest (highest
 *   seq) last, so the newest N matches are a backward range scan of N rows and a further term is
 *   a primary-key lookup per candidate;
 * - `nanobanana_search_terms (term, owner_key) → docs`: document frequency, which is the exact
 *   total of a one-term search and the idf of BM25; the row with term '' counts the workspace's
 *   documents and tokens (N and the average length);
 * - `nanobanana_search_docs (seq, task_id, terms)`: the insertion order and the terms to remove.
 *
 * InnoDB FULLTEXT costs several µs per matching document whatever the query, so a term in 10% of
 * 100k prompts took 35–110 ms; here it costs a counter read plus a window of rows.
 */
export class PostingSearchIndex implements NanobananaSearchIndex {
  constructor(
    private readonly sequelize: Sequelize,
    /** How many of the newest matches are ordered by relevance; later pages go newest first. */
    private readonly relevanceWindow: number,
  ) {}

  private escape(value: string | number): string {
    return this.sequelize.escape(value);
  }

  async add(documents: SearchDocument[], transaction: Transaction): Promise<void> {
    if (documents.length === 0) return;
    const prepared = documents.map((doc) => {
      const frequencies = new Map<string, number>();
      for (const token of doc.tokens) {
        const term = postingTerm(token);
        if (term) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      }
      return { ...doc, frequencies, length: Math.min(doc.tokens.length, 65_535) };
    });
    for (let start = 0; start < prepared.length; start += INSERT_CHUNK) {
      const rows = prepared
        .slice(start, start + INSERT_CHUNK)
        .map(
          (doc) =>
            `(${this.escape(doc.taskId)}, ${this.escape(doc.ownerKey)}, ${doc.length}, ${this.escape([...doc.frequencies.keys()].join(' '))})`,
        );
      await this.sequelize.query(
        `INSERT INTO nanobanana_search_docs (task_id, owner_key, doc_len, terms) VALUES ${rows.join(', ')}`,
        { transaction },
      );
    }
    const seqOf = new Map<string, string>();
    for (let start = 0; start < prepared.length; start += INSERT_CHUNK) {
      const found = await this.sequelize.query<{ seq: string; task_id: string }>(
        'SELECT seq, task_id FROM nanobanana_search_docs WHERE task_id IN (:ids)',
        {
          type: QueryTypes.SELECT,
          replacements: { ids: prepared.slice(start, start + INSERT_CHUNK).map((doc) => doc.taskId) },
          transaction,
        },
      );
      for (const row of found) seqOf.set(row.task_id, String(row.seq));
    }
    const postings: string[] = [];
    const deltas = new Map<string, Map<string, TermStats>>();
    const count = (term: string, owner: string, docs: number, tokens: number) => {
      const perOwner = deltas.get(term) ?? new Map<string, TermStats>();
      deltas.set(term, perOwner);
      const stats = perOwner.get(owner) ?? { docs: 0, tokens: 0 };
      perOwner.set(owner, { docs: stats.docs + docs, tokens: stats.tokens + tokens });
    };
    for (const doc of prepared) {
      const seq = seqOf.get(doc.taskId)!;
      const owner = this.escape(doc.ownerKey);
      for (const [term, frequency] of doc.frequencies) {
        postings.push(
          `(${this.escape(term)}, ${owner}, ${seq}, ${Math.min(frequency, 65_535)}, ${doc.length})`,
        );
        count(term, doc.ownerKey, 1, 0);
      }
      count('', doc.ownerKey, 1, doc.length);
    }
    for (let start = 0; start < postings.length; start += INSERT_CHUNK) {
      await this.sequelize.query(
        `INSERT INTO nanobanana_search_postings (term, owner_key, seq, tf, doc_len)
         VALUES ${postings.slice(start, start + INSERT_CHUNK).join(', ')}`,
        { transaction },
      );
    }
    await this.adjustCounts(deltas, transaction);
  }

  async remove(taskIds: string[], transaction: Transaction): Promise<void> {
    if (taskIds.length === 0) return;
    // Locking read: a concurrent remove of the same task waits here instead of counting it twice.
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
    const deltas = new Map<string, Map<string, TermStats>>();
    const count = (term: string, owner: string, tokens: number) => {
      const perOwner = deltas.get(term) ?? new Map<string, TermStats>();
      deltas.set(term, perOwner);
      const stats = perOwner.get(owner) ?? { docs: 0, tokens: 0 };
      perOwner.set(owner, { docs: stats.docs - 1, tokens: stats.tokens - tokens });
    };
    const byOwner = new Map<string, typeof docs>();
    for (const doc of docs) {
      byOwner.set(doc.owner_key, [...(byOwner.get(doc.owner_key) ?? []), doc]);
      for (const term of doc.terms ? doc.terms.split(' ') : []) count(term, doc.owner_key, 0);
      count('', doc.owner_key, Number(doc.doc_len));
    }
    for (const [owner, ownDocs] of byOwner) {
      for (let start = 0; start < ownDocs.length; start += DELETE_CHUNK) {
        const chunk = ownDocs.slice(start, start + DELETE_CHUNK);
        const terms = [...new Set(chunk.flatMap((doc) => (doc.terms ? doc.terms.split(' ') : [])))];
        if (terms.length === 0) continue;
        // term IN × owner × seq IN: point ranges of the primary key, no scan.
        await this.sequelize.query(
          'DELETE FROM nanobanana_search_postings WHERE term IN (:terms) AND owner_key = :owner AND seq IN (:seqs)',
          {
            replacements: { terms, owner, seqs: chunk.map((doc) => doc.seq) },
            transaction,
          },
        );
      }
    }
    await this.adjustCounts(deltas, transaction);
    await this.sequelize.query('DELETE FROM nanobanana_search_docs WHERE seq IN (:seqs)', {
      replacements: { seqs: docs.map((doc) => doc.seq) },
      transaction,
    });
  }

  /** One upsert of every counter change, in primary-key order (no lock-order deadlocks). */
  private async adjustCounts(
    deltas: Map<string, Map<string, TermStats>>,
    transaction: Transaction,
  ): Promise<void> {
    const rows: string[] = [];
    for (const term of [...deltas.keys()].sort(byCodePoint)) {
      const perOwner = deltas.get(term)!;
      for (const owner of [...perOwner.keys()].sort(byCodePoint)) {
        const { docs, tokens } = perOwner.get(owner)!;
        rows.push(`(${this.escape(term)}, ${this.escape(owner)}, ${docs}, ${tokens})`);
      }
    }
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await this.sequelize.query(
        `INSERT INTO nanobanana_search_terms (term, owner_key, docs, tokens)
         VALUES ${rows.slice(start, start + INSERT_CHUNK).join(', ')}
         ON DUPLICATE KEY UPDATE docs = docs + VALUES(docs), tokens = tokens + VALUES(tokens)`,
        { transaction },
      );
    }
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
    const statsRows = await this.sequelize.query<{ term: string; docs: string; tokens: string }>(
      `SELECT term, SUM(docs) AS docs, SUM(tokens) AS tokens FROM nanobanana_search_terms
       WHERE term IN (:terms)${ownerSql} GROUP BY term`,
      { type: QueryTypes.SELECT, replacements: { terms: [...terms, ''], owner: ownerKey } },
    );
    const stats = new Map(
      statsRows.map((row) => [row.term, { docs: Number(row.docs), tokens: Number(row.tokens) }]),
    );
    const documents = stats.get('')?.docs ?? 0;
    if (terms.some((term) => (stats.get(term)?.docs ?? 0) <= 0)) return { ids: [], total: 0 };
    const averageLength = Math.max(1, (stats.get('')?.tokens ?? 0) / Math.max(1, documents));
    // The rarest term drives: its postings are read in seq order, every other term is a
    // primary-key lookup per candidate (STRAIGHT_JOIN keeps that order).
    terms.sort((a, b) => stats.get(a)!.docs - stats.get(b)!.docs);
    const replacements: Record<string, unknown> = {
      owner: ownerKey,
      avgdl: averageLength,
      window: this.relevanceWindow,
    };
    const joins: string[] = [];
    const score: string[] = [];
    terms.forEach((term, index) => {
      const df = stats.get(term)!.docs;
      replacements[`t${index}`] = term;
      replacements[`idf${index}`] = Math.log(1 + (documents - df + 0.5) / (df + 0.5));
      if (index > 0)
        joins.push(
          `JOIN nanobanana_search_postings p${index} ON p${index}.term = :t${index}
           AND p${index}.owner_key = p0.owner_key AND p${index}.seq = p0.seq`,
        );
      score.push(
        `:idf${index} * p${index}.tf / (p${index}.tf + ${K1} * (${1 - B} + ${B} * p0.doc_len / :avgdl))`,
      );
    });
    const from = `nanobanana_search_postings p0 ${joins.join(' ')}
      WHERE p0.term = :t0${ownerKey === null ? '' : ' AND p0.owner_key = :owner'}`;
    const seqs = async (sql: string, extra: Record<string, unknown>) =>
      (
        await this.sequelize.query<{ seq: string }>(sql, {
          type: QueryTypes.SELECT,
          replacements: { ...replacements, ...extra },
        })
      ).map((row) => String(row.seq));
    const page = await pageAcrossWindow(
      this.relevanceWindow,
      limit,
      offset,
      (size, start) =>
        seqs(
          `SELECT seq FROM (
             SELECT STRAIGHT_JOIN p0.seq AS seq, ${score.join(' + ')} AS score
             FROM ${from} ORDER BY p0.seq DESC LIMIT :window
           ) ranked ORDER BY score DESC, seq DESC LIMIT :size OFFSET :start`,
          { size, start },
        ),
      (size, start) =>
        seqs(
          `SELECT STRAIGHT_JOIN p0.seq AS seq FROM ${from} ORDER BY p0.seq DESC LIMIT :size OFFSET :start`,
          {
            size,
            start,
          },
        ),
    );
    let total = stats.get(terms[0]!)!.docs;
    if (terms.length > 1) {
      const [counted] = await this.sequelize.query<{ total: string }>(
        `SELECT STRAIGHT_JOIN COUNT(*) AS total FROM ${from}`,
        { type: QueryTypes.SELECT, replacements },
      );
      total = Number(counted?.total ?? 0);
    }
    if (page.length === 0) return { ids: [], total };
    const mapped = await this.sequelize.query<{ seq: string; task_id: string }>(
      'SELECT seq, task_id FROM nanobanana_search_docs WHERE seq IN (:page)',
      { type: QueryTypes.SELECT, replacements: { page } },
    );
    const taskOf = new Map(mapped.map((row) => [String(row.seq), row.task_id]));
    const ids = page.map((seq) => taskOf.get(seq)).filter((id): id is string => !!id);
    return { ids, total };
  }
}
