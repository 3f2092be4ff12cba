import type { AiModelRecord, AiModelRepository } from './llm/ai-model.repository.js';
import type { CharacterRecord, CharacterRepository } from './catalog/character.repository.js';
import type { StoryRecord, StoryRepository } from './catalog/story.repository.js';
import type { StoryTemplateRecord, SystemPromptPostRecord } from './catalog/catalog-records.js';
import type { CatalogTables } from './catalog/catalog-table.port.js';
import { TtlCache } from '../shared/ttl-cache.js';
import { parseSetting, type StorySetting } from './story-setting.js';
import { castInOrder } from './cast-in-order.js';

/** Where the cached rows are read from. */
export interface StoryRowsSources {
  stories: StoryRepository;
  characters: CharacterRepository;
  /** Story templates and staff posts. */
  catalogTables: CatalogTables;
  aiModels: AiModelRepository;
}

/**
 * The catalog rows every reply reads (its story, cast, template, staff posts, models), kept for
 * a few seconds so the path to the first token does not read them from the database. Catalog
 * edits reach running chats when the entries expire (see TtlCache).
 */
export class StoryRowsCache {
  private readonly stories: TtlCache<StoryRecord | null>;
  private readonly casts: TtlCache<CharacterRecord[]>;
  private readonly templates: TtlCache<StoryTemplateRecord | null>;
  private readonly posts: TtlCache<SystemPromptPostRecord[]>;
  private readonly models: TtlCache<AiModelRecord | null>;
  private readonly settings = new WeakMap<StoryRecord, { json: string; parsed: StorySetting }>();

  constructor(
    private readonly db: StoryRowsSources,
    /** 0 = off. */
    ttlMs: number,
  ) {
    this.stories = new TtlCache(ttlMs);
    this.casts = new TtlCache(ttlMs);
    this.templates = new TtlCache(ttlMs);
    this.posts = new TtlCache(ttlMs);
    this.models = new TtlCache(ttlMs);
  }

  story(id: string): Promise<StoryRecord | null> {
    return this.stories.get(id, () => this.db.stories.byId(id));
  }

  /** The story as stored now, past the cache (starting a conversation on a story just published). */
  freshStory(id: string): Promise<StoryRecord | null> {
    return this.db.stories.byId(id);
  }

  /** The character as stored now, past the cache. */
  freshCharacter(id: string): Promise<CharacterRecord | null> {
    return this.db.characters.byId(id);
  }

  /** The story's characters in the story's order (missing ones left out). */
  cast(story: StoryRecord): Promise<CharacterRecord[]> {
    return this.casts.get(`${story.id}:${story.character_ids}`, () => this.readCast(story));
  }

  template(id: string): Promise<StoryTemplateRecord | null> {
    return this.templates.get(id, () => this.db.catalogTables.of('StoryTemplate').byId(id));
  }

  /** Staff posts every prompt carries (the first 20). */
  systemPosts(): Promise<SystemPromptPostRecord[]> {
    return this.posts.get('all', () =>
      this.db.catalogTables.of('SystemPromptPost').all({}, [['created_at', 'ASC']], 20),
    );
  }

  /** The active model with this LLM id. */
  model(llmId: string): Promise<AiModelRecord | null> {
    return this.models.get(llmId, () => this.db.aiModels.active(llmId));
  }

  /** The first active chat model, for a character and story that name none. */
  anyChatModel(): Promise<AiModelRecord | null> {
    return this.models.get('*chat', () => this.db.aiModels.firstActive('chat'));
  }

  /**
   * The parsed setting of a story row. Rows come from the story cache, so one parse (JSON plus
   * schema, a measurable share of a reply's CPU before its upstream call) serves every reply
   * until the row is reloaded; the parsed setting is only read.
   */
  setting(story: StoryRecord): StorySetting {
    let setting = this.settings.get(story);
    if (!setting || setting.json !== story.setting) {
      setting = { json: story.setting, parsed: parseSetting(story.setting) };
      this.settings.set(story, setting);
    }
    return setting.parsed;
  }

  private async readCast(story: StoryRecord): Promise<CharacterRecord[]> {
    const ids = (JSON.parse(story.character_ids) as unknown[]).map(String);
    if (!ids.length) return [];
    return castInOrder(ids, await this.db.characters.byIds(ids));
  }
}
