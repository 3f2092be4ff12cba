/**
 * Where the AI model catalog (contract 002's `llm_id`s) lives, as the LLM calls and the story
 * chat read it. Its Sequelize adapter (ai-model.repository.ts in the adapters folder) implements it; staff edit the
 * catalog through its descriptor (catalog/catalogs/ai-models.catalog.ts).
 */

/** One configured model. */
export interface AiModelRecord {
  id: string;
  /** The contract's `model_id` / `llm_id`, e.g. `deepseek-chat`. */
  llm_id: string;
  name: string;
  /** chat | other | t2i | i2t */
  type: string;
  /** Upstream model name sent to the provider. */
  provider_model: string;
  base_url: string | null;
  api_key_enc: string | null;
  temperature: number | null;
  max_tokens: number | null;
  is_active: boolean;
  usage_count: number;
  last_used_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface AiModelRepository {
  /** Models by `llm_id`, filtered; only active ones unless `includeInactive`. */
  list(filter: { type?: string; llmId?: string; includeInactive?: boolean }): Promise<AiModelRecord[]>;
  byId(id: string): Promise<AiModelRecord | null>;
  /** The active model with this `llm_id`. */
  active(llmId: string): Promise<AiModelRecord | null>;
  /** The first active model of a type (by `llm_id`): what a story naming no model talks with. */
  firstActive(type: string): Promise<AiModelRecord | null>;
  /** Up to `limit` active models of a type, least recently used first (never used ones first). */
  leastRecentlyUsed(type: string, exclude: string[], limit: number): Promise<AiModelRecord[]>;
  /** Counts one use if nobody else counted one since `row` was read (compare-and-set on `usage_count`). */
  claimUse(row: AiModelRecord, at: Date): Promise<boolean>;
  /** Adds `count` uses, the last at `at`. */
  addUses(id: string, count: number, at: Date): Promise<void>;
}
