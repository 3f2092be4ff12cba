import type { CharacterRecord, CharacterRepository } from '../character.repository.js';
import type { StoryRecord, StoryRepository } from '../story.repository.js';

const newestFirst = <R extends { created_at: Date }>(rows: R[]) =>
  [...rows].sort((a, b) => b.created_at.getTime() - a.created_at.getTime());

/** The characters port in memory, for unit tests of CatalogService. */
export class InMemoryCharacterRepository implements CharacterRepository {
  readonly rows: CharacterRecord[] = [];

  async byId(id: string) {
    return this.rows.find((row) => row.id === id) ?? null;
  }
  async byIds(ids: string[]) {
    return this.rows.filter((row) => ids.includes(row.id));
  }
  async typesOf(ids: string[]) {
    return (await this.byIds(ids)).map(({ id, character_type }) => ({ id, character_type }));
  }
  async page(ownerId: string | null, { limit, offset }: { limit: number; offset: number }) {
    const mine = newestFirst(this.rows.filter((row) => ownerId === null || row.user_id === ownerId));
    return { rows: mine.slice(offset, offset + limit), total: mine.length };
  }
  async firstNarrator() {
    return [...newestFirst(this.rows)].reverse().find((row) => row.character_type === 'narrator') ?? null;
  }
  async insert(record: CharacterRecord) {
    this.rows.push({ ...record });
    return this.rows[this.rows.length - 1];
  }
  async change(row: CharacterRecord, patch: Partial<CharacterRecord>) {
    return Object.assign(row, patch);
  }
  async remove(row: CharacterRecord) {
    this.rows.splice(this.rows.indexOf(row), 1);
    return { ...row } as Record<string, unknown>;
  }
}

/** The stories port in memory, for unit tests of CatalogService. */
export class InMemoryStoryRepository implements StoryRepository {
  readonly rows: StoryRecord[] = [];

  async byId(id: string) {
    return this.rows.find((row) => row.id === id) ?? null;
  }
  async page(ownerId: string | null, { limit, offset }: { limit: number; offset: number }) {
    const mine = newestFirst(this.rows.filter((row) => ownerId === null || row.user_id === ownerId));
    return { rows: mine.slice(offset, offset + limit), total: mine.length };
  }
  async published(exceptIds: string[], { limit, offset }: { limit: number; offset: number }) {
    return newestFirst(this.rows.filter((row) => row.is_published && !exceptIds.includes(row.id))).slice(
      offset,
      offset + limit,
    );
  }
  /** Like the adapter's LIKE: every published story whose cast text contains the quoted id. */
  async publishedCastsMentioning(characterId: string) {
    return this.rows
      .filter((row) => row.is_published && row.character_ids.includes(JSON.stringify(characterId)))
      .map(({ character_ids }) => ({ character_ids }));
  }
  async insert(record: Omit<StoryRecord, 'generated_background'>) {
    this.rows.push({ ...record, generated_background: null });
    return this.rows[this.rows.length - 1];
  }
  async change(row: StoryRecord, patch: Partial<StoryRecord>) {
    return Object.assign(row, patch);
  }
  async remove(row: StoryRecord) {
    this.rows.splice(this.rows.indexOf(row), 1);
    return { ...row } as Record<string, unknown>;
  }
  async storeIntroIfMissing(id: string, intro: string) {
    const row = this.rows.find((story) => story.id === id && story.generated_background === null);
    if (row) row.generated_background = intro;
    return !!row;
  }
}
