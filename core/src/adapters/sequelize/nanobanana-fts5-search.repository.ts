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
    // Only rowids inside the index queries; the page's rowids are mapped to task ids afterwards.
    const rowids = async (sql: string, replacements: Record<string, unknown>) =>
      (await this.sequelize.query<{ r: number }>(sql, { type: QueryTypes.SELECT, replacements })).map(
        (row) => row.r,
      );
    const page = await pageAcrossWindow(
      this.relevanceWindow,
      limit,
      offset,
      (size, start) =>
        rowids(
          `SELECT r FROM (
             SELECT rowid AS r, rank AS score FROM nanobanana_search
             WHERE nanobanana_search MATCH :q ORDER BY rowid DESC LIMIT :window
           ) ORDER BY score, r DESC LIMIT :size OFFSET :start`,
          { q, window: this.relevanceWindow, size, start },
        ),
      (size, start) =>
        rowids(
          `SELECT rowid AS r FROM nanobanana_search WHERE nanobanana_search MATCH :q
           ORDER BY rowid DESC LIMIT :size OFFSET :start`,
          { q, size, start },
        ),
    );
    const byRowid = new Map<number, string>();
    if (page.length) {
      const mapped = await this.sequelize.query<{ r: number; task_id: string }>(
        'SELECT rowid AS r, task_id FROM nanobanana_tasks WHERE rowid IN (:page)',
        { type: QueryTypes.SELECT, replacements: { page } },
      );
      for (const row of mapped) byRowid.set(Number(row.r), row.task_id);
    }
    const ids = page.map((rowid) => byRowid.get(rowid)).filter((id): id is string => !!id);
    const [counted] = await this.sequelize.query<{ total: number }>(
      'SELECT COUNT(*) AS total FROM nanobanana_search WHERE nanobanana_search MATCH :q',
      { type: QueryTypes.SELECT, replacements: { q } },
    );
    return { ids, total: Number(counted?.total ?? 0) };
  }
}
