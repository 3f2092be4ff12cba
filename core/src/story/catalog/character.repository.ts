/**
 * Where contract 002's characters live. The catalog service and the story chat read and write
 * them only through this port; its Sequelize adapter (character.repository.ts in the adapters
 * folder) implements it.
 */

/** A stored character (or the shared narrator). */
export interface CharacterRecord {
  id: string;
  /** Its owner; null for the shared narrator. */
  user_id: string | null;
  name: string;
  description: string;
  personality: string;
  background: string;
  language: string | null;
  image_url: string | null;
  icon_url: string | null;
  image_prompt: string | null;
  llm_id: string | null;
  /** character | narrator */
  character_type: string;
  talkativeness: number;
  /** Anyone signed in may read and cast it (migration 0011); otherwise private to its owner. */
  is_public: boolean;
  created_at: Date;
  updated_at: Date;
}

/** The columns a character is changed by (its id, owner, type and creation time stay). */
export type CharacterPatch = Partial<
  Omit<CharacterRecord, 'id' | 'user_id' | 'character_type' | 'created_at'>
>;

export interface CharacterRepository {
  byId(id: string): Promise<CharacterRecord | null>;
  /** The characters with these ids, in no particular order (unknown ids are left out). */
  byIds(ids: string[]): Promise<CharacterRecord[]>;
  /** Only the id and type of the characters with these ids (counting a cast without the narrator). */
  typesOf(ids: string[]): Promise<Array<Pick<CharacterRecord, 'id' | 'character_type'>>>;
  /** A page of the characters of `ownerId` (every character when null), newest first. */
  page(
    ownerId: string | null,
    window: { limit: number; offset: number },
  ): Promise<{ rows: CharacterRecord[]; total: number }>;
  /** The oldest narrator, if one was made. */
  firstNarrator(): Promise<CharacterRecord | null>;
  insert(record: CharacterRecord): Promise<CharacterRecord>;
  /** Writes `patch` onto a character this repository answered, and answers it changed. */
  change(row: CharacterRecord, patch: CharacterPatch): Promise<CharacterRecord>;
  /** Deletes a character this repository answered, and answers its columns as they were. */
  remove(row: CharacterRecord): Promise<Record<string, unknown>>;
}
