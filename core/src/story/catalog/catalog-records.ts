/**
 * The rows of the plain catalogs (catalog/catalogs/) as core sees them: plain columns, no ORM
 * types. The schema is owned by migrations/0004-story.ts; the Sequelize models (story.models.ts in
 * the adapters folder) have exactly these columns.
 */

/** A staff post every story prompt carries. */
export interface SystemPromptPostRecord {
  id: string;
  content: string;
  created_at: Date;
}

export interface LanguageRecord {
  id: string;
  language: string;
  created_at: Date;
}

/** A track a story can play behind its scenes; `type` names a {@link MusicTypeRecord}. */
export interface MusicRecord {
  id: string;
  name: string;
  url: string;
  type: string;
  created_at: Date;
}

export interface MusicTypeRecord {
  id: string;
  name: string;
  created_at: Date;
}

export interface ArtStyleRecord {
  id: string;
  name: string;
  keyword: string;
  thumbnail: string | null;
  status: string;
  created_at: Date;
}

/** A prompt the story features are built from; readers take the newest active one of a type. */
export interface PromptTemplateRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

/** What a published story starts from: cast size, hidden prompt, components. */
export interface StoryTemplateRecord {
  id: string;
  name: string;
  thumbnail: string | null;
  introduction: string | null;
  /** JSON array. */
  components: string;
  max_characters: number;
  hidden_prompt: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
}
