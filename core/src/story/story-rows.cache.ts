import { Op } from 'sequelize';
import type { AiModelRecord, AiModelRepository } from '../llm/ai-model.repository.js';
import type {
  CharacterRow,
  StoryModels,
  StoryRow,
  StoryTemplateRow,
  SystemPromptPostRow,
} from '../adapters/sequelize/story.models.js';
import { TtlCache } from '../shared/ttl-cache.js';
import { parseSetting, type StorySetting } from './story-setting.js';

export type { CharacterRow, StoryRow } from '../adapters/sequelize/story.models.js';

/**
 * The catalog rows every reply reads (its story, cast, template, staff posts, models), kept for
 * a few seconds so the path to the first token does not read them from the database. Catalog
 * edits reach running chats when the entries expire (see TtlCache).
 */
export class StoryRowsCache {
  private readonly stories: TtlCache<StoryRow | null>;
  private readonly casts: TtlCache<CharacterRow[]>;
  private readonly templates: TtlCache<StoryTemplateRow | null>;
  private readonly posts: TtlCache<SystemPromptPostRow[]>;
  private readonly models: TtlCache<AiModelRecord | null>;
  private readonly settings = new WeakMap<StoryRow, { json: string; parsed: StorySetting }>();

  constructor(
    private readonly db: StoryModels,
    private readonly aiModels: AiModelRepository,
    /** 0 = off. */
    ttlMs: number,
  ) {
    this.stories = new TtlCache(ttlMs);
    this.casts = new TtlCache(ttlMs);
    this.templates = new TtlCache(ttlMs);
    this.posts = new TtlCache(ttlMs);
    this.models = new TtlCache(ttlMs);
  }

  story(id: string): Promise<StoryRow | null> {
    return this.stories.get(id, () => this.db.Story.findByPk(id));
  }

  /** The story as stored now, past the cache (starting a conversation on a story just published). */
  freshStory(id: string): Promise<StoryRow | null> {
    return this.db.Story.findByPk(id);
  }

  /** The character as stored now, past the cache. */
  freshCharacter(id: string): Promise<CharacterRow | null> {
    return this.db.Character.findByPk(id);
  }

  /** The story's characters in the story's order (missing ones left out). */
  cast(story: StoryRow): Promise<CharacterRow[]> {
    return this.casts.get(`${story.id}:${story.character_ids}`, () => this.readCast(story));
  }

  template(id: string): Promise<StoryTemplateRow | null> {
    return this.templates.get(id, () => this.db.StoryTemplate.findByPk(id));
  }

  /** Staff posts every prompt carries (the first 20). */
  systemPosts(): Promise<SystemPromptPostRow[]> {
    return this.posts.get('all', () =>
      this.db.SystemPromptPost.findAll({ order: [['created_at', 'ASC']], limit: 20 }),
    );
  }

  /** The active model with this LLM id. */
  model(llmId: string): Promise<AiModelRecord | null> {
    return this.models.get(llmId, () => this.aiModels.active(llmId));
  }

  /** The first active chat model, for a character and story that name none. */
  anyChatModel(): Promise<AiModelRecord | null> {
    return this.models.get('*chat', () => this.aiModels.firstActive('chat'));
  }

  /**
   * The parsed setting of a story row. Rows come from the story cache, so one parse (JSON plus
   * schema, a measurable share of a reply's CPU before its upstream call) serves every reply
   * until the row is reloaded; the parsed setting is only read.
   */
  setting(story: StoryRow): StorySetting {
    let setting = this.settings.get(story);
    if (!setting || setting.json !== story.setting) {
      setting = { json: story.setting, parsed: parseSetting(story.setting) };
      this.settings.set(story, setting);
    }
    return setting.parsed;
  }

  private async readCast(story: StoryRow): Promise<CharacterRow[]> {
    const ids = (JSON.parse(story.character_ids) as unknown[]).map(String);
    if (!ids.length) return [];
    const rows = await this.db.Character.findAll({ where: { id: { [Op.in]: ids } } });
    return ids.map((id) => rows.find((row) => row.id === id)).filter((row): row is CharacterRow => !!row);
  }
}
