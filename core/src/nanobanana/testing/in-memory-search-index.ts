import type { NanobananaSearchIndex, SearchDocument, SearchPage } from '../nanobanana-search.port.js';

/**
 * The 004 search index in memory, for the use cases' unit tests: documents that contain every
 * token, newest added first (no relevance ranking; the real indexes are tested in ../../tests).
 */
export class InMemorySearchIndex implements NanobananaSearchIndex {
  readonly documents: SearchDocument[] = [];

  async add(documents: SearchDocument[]): Promise<void> {
    this.documents.push(...documents);
  }

  async remove(taskIds: string[]): Promise<void> {
    for (let index = this.documents.length - 1; index >= 0; index -= 1)
      if (taskIds.includes(this.documents[index]!.taskId)) this.documents.splice(index, 1);
  }

  async search(
    ownerKey: string | null,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<SearchPage> {
    const matches = this.documents
      .filter((doc) => ownerKey === null || doc.ownerKey === ownerKey)
      .filter((doc) => tokens.every((token) => doc.tokens.includes(token)))
      .reverse();
    return { ids: matches.slice(offset, offset + limit).map((doc) => doc.taskId), total: matches.length };
  }
}
