/**
 * Where contract 002's stories live. The catalog service, the intro writer and the story chat
 * read and write them only through this port; its Sequelize adapter (story.repository.ts in the
 * adapters folder) implements it.
 */

/** A stored story (a draft, or published from a template). */
export interface StoryRecord {
  id: string;
  user_id: string;
  title: string;
  /** JSON of the contract's `setting` object. */
  setting: string;
  template_id: string | null;
  template_content: string | null;
  /** JSON array of character ids in list order. */
  character_ids: string;
  background_music_id: string | null;
  bg_image_url: string | null;
  language: string | null;
  is_published: boolean;
  /** The intro the LLM wrote at publish time (contract `generated_background`); null until written. */
  generated_background: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A story to store: the intro is written after it is (null meanwhile). */
export type NewStory = Omit<StoryRecord, 'generated_background'>;

/** The columns a story is changed by. */
export type StoryPatch = Partial<Pick<StoryRecord, 'title' | 'setting' | 'character_ids' | 'updated_at'>>;

export interface StoryRepository {
  byId(id: string): Promise<StoryRecord | null>;
  /** A page of the stories of `ownerId` (every story when null), newest first. */
  page(
    ownerId: string | null,
    window: { limit: number; offset: number },
  ): Promise<{ rows: StoryRecord[]; total: number }>;
  /** A page of the published stories, newest first, leaving out those with the ids in `exceptIds`. */
  published(exceptIds: string[], window: { limit: number; offset: number }): Promise<StoryRecord[]>;
  /**
   * The casts (`character_ids` only) of the published stories whose cast text contains the
   * character's quoted id: candidates that the caller checks exactly (a LIKE can only widen).
   */
  publishedCastsMentioning(characterId: string): Promise<Array<Pick<StoryRecord, 'character_ids'>>>;
  insert(record: NewStory): Promise<StoryRecord>;
  /** Writes `patch` onto a story this repository answered, and answers it changed. */
  change(row: StoryRecord, patch: StoryPatch): Promise<StoryRecord>;
  /** Deletes a story this repository answered, and answers its columns as they were. */
  remove(row: StoryRecord): Promise<Record<string, unknown>>;
  /**
   * Stores the intro only if the story has none yet (another node's attempt may have finished
   * first); answers whether it was stored.
   */
  storeIntroIfMissing(id: string, intro: string): Promise<boolean>;
}
