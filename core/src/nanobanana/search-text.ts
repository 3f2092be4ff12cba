import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

const WORD = /^[\p{L}\p{N}]+$/u;
const HAN = /\p{Script=Han}/u;

/**
 * Turns prompts and keywords into search tokens with jieba (the dictionary loads once per
 * instance, on first use: ~40 MB, so one instance per process, owned by the composition root).
 *
 * Stored form (`search_text`): tokens wrapped as `_token_`. SQLite's FTS5 (unicode61) treats `_`
 * as a separator and indexes the bare tokens; MySQL/MariaDB index the tokens in posting tables
 * (see PostingSearchIndex) and keep the column to rebuild them. (The wrapping dates from an InnoDB
 * FULLTEXT index, whose parser needed tokens of three characters or more.)
 */
export class SearchTokenizer {
  private jieba: Jieba | null = null;

  private get engine(): Jieba {
    this.jieba ??= Jieba.withDict(dict);
    return this.jieba;
  }

  /**
   * Index tokens of a prompt: jieba's search-mode words (long words also yield their dictionary
   * sub-words, so 小女孩 is found by 女孩) plus every Han character on its own, so a one-character
   * query such as 猫 finds 猫咪.
   */
  indexTokens(text: string): string[] {
    // Repeats are kept: term frequency is part of the engines' relevance.
    const tokens: string[] = [];
    for (const word of this.engine.cutForSearch(text.toLowerCase(), true)) {
      const token = word.trim();
      if (!WORD.test(token)) continue;
      tokens.push(token);
      if (HAN.test(token) && token.length > 1)
        for (const char of token) if (HAN.test(char)) tokens.push(char);
    }
    return tokens;
  }

  /** The stored search column for a prompt. */
  indexText(text: string): string {
    return searchText(this.indexTokens(text));
  }

  /** Query tokens of a keyword: jieba's precise mode, e.g. 油画女孩 → 油画, 女孩. All must match. */
  queryTokens(keyword: string): string[] {
    const tokens = new Set<string>();
    for (const word of this.engine.cut(keyword.toLowerCase(), true)) {
      const token = word.trim();
      if (WORD.test(token)) tokens.add(token);
    }
    return [...tokens];
  }
}

/** The stored search column (`nanobanana_tasks.search_text`) for index tokens. */
export const searchText = (tokens: string[]) => tokens.map((token) => `_${token}_`).join(' ');

/** FTS5 query: every token as a quoted phrase (implicit AND), e.g. `"油画" "女孩"`. */
export const fts5Query = (tokens: string[]) =>
  tokens.map((token) => `"${token.replace(/"/g, '""')}"`).join(' ');

/** The workspace token the SQLite search index carries (see migration 0003's trigger). */
export const fts5OwnerToken = (ownerKey: string) => `o${ownerKey.replace(/-/g, '').toLowerCase()}`;
