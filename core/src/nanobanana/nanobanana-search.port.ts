import type { TransactionHandle } from '../shared/unit-of-work.js';

/** A task as the search index sees it: its workspace and the jieba tokens of its prompt (repeats kept). */
export interface SearchDocument {
  taskId: string;
  ownerKey: string;
  tokens: string[];
}

/** One page of search hits, best first, with the exact number of matches. */
export interface SearchPage {
  ids: string[];
  total: number;
}

/**
 * The search index of contract 004 (one implementation per database engine).
 *
 * Relevance is BM25 over the newest `relevanceWindow` matches; pages past the window continue
 * newest first (see `pageAcrossWindow`). `add` and `remove` join the caller's transaction, so the
 * index always moves together with the `nanobanana_tasks` rows it describes.
 */
export interface NanobananaSearchIndex {
  /** Indexes new tasks; call after their `nanobanana_tasks` rows were written in `transaction`. */
  add(documents: SearchDocument[], transaction: TransactionHandle): Promise<void>;
  /** Forgets tasks; call before their `nanobanana_tasks` rows are deleted in `transaction`. */
  remove(taskIds: string[], transaction: TransactionHandle): Promise<void>;
  /**
   * Tasks that contain every token; `ownerKey` null searches every workspace (admins).
   * `tokens` are query tokens (lower-cased jieba words), at least one.
   */
  search(ownerKey: string | null, tokens: string[], limit: number, offset: number): Promise<SearchPage>;
}

/**
 * Splits a page request between the relevance-ordered window and the newest-first remainder:
 * `ranked(limit, offset)` pages inside the newest `window` matches ordered by score,
 * `newest(limit, offset)` pages over all matches newest first (used only past the window).
 */
export async function pageAcrossWindow<T>(
  window: number,
  limit: number,
  offset: number,
  ranked: (limit: number, offset: number) => Promise<T[]>,
  newest: (limit: number, offset: number) => Promise<T[]>,
): Promise<T[]> {
  const page: T[] = [];
  if (offset < window) page.push(...(await ranked(Math.min(limit, window - offset), offset)));
  if (offset + limit > window) {
    const start = Math.max(offset, window);
    page.push(...(await newest(offset + limit - start, start)));
  }
  return page;
}
