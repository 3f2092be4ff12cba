import { QueryTypes, type Sequelize } from 'sequelize';
import {
  pageAcrossWindow,
  type NanobananaSearchIndex,
  type SearchPage,
} from '../../nanobanana/nanobanana-search.port.js';
import { fts5OwnerToken, fts5Query } from '../../nanobanana/search-text.js';

/**
 * SQLite: an FTS5 table (`nanobanana_search`, migration 0003) that triggers on `nanobanana_tasks`
 * keep in step inside the very statement that writes or deletes the row, so `add` and `remove`
 * have nothing left to do.
 */
export class Fts5SearchIndex implements NanobananaSearchIndex {
  constructor(
    private readonly sequelize: Sequelize,
    /** How many of the newest matches are ordered by relevance (bm25 costs a few µs per match). */
    private readonly relevanceWindow: number,
  ) {}

  async add(): Promise<void> {}

  async remove(): Promise<void> {}

  async search(
    ownerKey: string | null,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<SearchPage> {
    const terms = fts5Query(tokens);
    // The workspace is a token of the indexed body, so filtering and counting never read a row.
    const q = ownerKey === null ? terms : `"${fts5OwnerToken(ownerKey)}" AND (${terms})`;
    // Only rowids inside the index queries (no content row per match); the page's few rowids are
    // joined to their task ids, and the total rides along as a scalar subquery (evaluated once),
    // so a page within the window is one statement.
    const total = '(SELECT COUNT(*) FROM nanobanana_search WHERE nanobanana_search MATCH :q) AS total';
    const query = (sql: string, replacements: Record<string, unknown>) =>
      this.sequelize.query<{ id: string; total: number }>(sql, {
        type: QueryTypes.SELECT,
        replacements: { q, ...replacements },
      });
    const rows = await pageAcrossWindow(
      this.relevanceWindow,
      limit,
      offset,
      (size, start) =>
        query(
          `SELECT t.task_id AS id, ${total} FROM (
             SELECT r, score FROM (
               SELECT rowid AS r, rank AS score FROM nanobanana_search
               WHERE nanobanana_search MATCH :q ORDER BY rowid DESC LIMIT :window
             ) ORDER BY score, r DESC LIMIT :size OFFSET :start
           ) page JOIN nanobanana_tasks t ON t.rowid = page.r ORDER BY page.score, page.r DESC`,
          { window: this.relevanceWindow, size, start },
        ),
      (size, start) =>
        query(
          `SELECT t.task_id AS id, ${total} FROM (
             SELECT rowid AS r FROM nanobanana_search WHERE nanobanana_search MATCH :q
             ORDER BY rowid DESC LIMIT :size OFFSET :start
           ) page JOIN nanobanana_tasks t ON t.rowid = page.r ORDER BY page.r DESC`,
          { size, start },
        ),
    );
    if (rows.length > 0) return { ids: rows.map((row) => row.id), total: Number(rows[0]!.total) };
    // A page past the end has no rows to carry the total.
    const [counted] = await query(`SELECT ${total}`, {});
    return { ids: [], total: Number(counted?.total ?? 0) };
  }
}
