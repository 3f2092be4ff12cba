import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { assertOpeningsSpokenByCast } from '../opening-speakers.js';
import { isStaff, type Actor } from '../../identity/actor.js';
import type { Clock } from '../../ports/clock.port.js';
import type { IdGenerator } from '../../shared/ids.js';
import type { LlmService } from '../llm/llm.service.js';
import {
  canChangeCharacter,
  canReadCharacter,
  canUseCharacter,
  castDetail,
  characterCard,
  isPublicCharacter,
} from '../access/character-access.js';
import { assertCanChangeStory, assertCanReadStory } from '../access/story-access.js';
import { StoryIntroWriter } from '../story-intro.writer.js';
import { castInOrder } from '../cast-in-order.js';
import type { ConversationRepository } from '../conversation.repository.js';
import type { IdentityRepository } from '../../identity/identity.repository.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { pageWindow } from './catalog-crud.js';
import { promptTemplateView } from './catalogs/prompt-templates.catalog.js';
import { activePromptTemplate } from './active-prompt-template.js';
import type { CatalogTables } from './catalog-table.port.js';
import type { CharacterPatch, CharacterRecord, CharacterRepository } from './character.repository.js';
import type { StoryPatch, StoryRecord, StoryRepository } from './story.repository.js';

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

// ---- views (the contract's field names) ------------------------------------------------------

export const views = {
  character: (row: CharacterRecord) => ({
    id: row.id,
    name: row.name,
    avatar: row.image_url,
    personality: row.personality,
    background: row.background,
    description: row.description,
    language: row.language,
    image_url: row.image_url,
    icon_url: row.icon_url,
    image_prompt: row.image_prompt,
    llm_id: row.llm_id,
    character_type: row.character_type,
    talkativeness: row.talkativeness,
    is_public: isPublicCharacter(row),
    user_id: row.user_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }),
  story: (row: StoryRecord) => ({
    id: row.id,
    title: row.title,
    setting: JSON.parse(row.setting) as Record<string, unknown>,
    template_id: row.template_id,
    characters: JSON.parse(row.character_ids) as string[],
    background_music_id: row.background_music_id,
    bg_image_url: row.bg_image_url,
    language: row.language,
    is_published: !!row.is_published,
    user_id: row.user_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  }),
};

interface Deps {
  characters: CharacterRepository;
  stories: StoryRepository;
  /** Story templates (cast limits), music (a story's track) and prompt templates. */
  catalogTables: CatalogTables;
  /** Which stories a member already started (the published list leaves them out). */
  conversations: Pick<ConversationRepository, 'storyIdsStartedBy'>;
  /** The model catalog: a character's `llm_id` must name an active chat model. */
  llm: Pick<LlmService, 'findActive'>;
  /** Creators' names and wallet addresses in the published list. */
  users: Pick<IdentityRepository, 'userById' | 'identityOfUser'>;
  ids: IdGenerator;
  clock: Clock;
  /** Writes published stories' intros (contract `generated_background`); none: the template content. */
  intro?: StoryIntroWriter;
  /** Deletes by staff are kept in the audit log with the deleted row. */
  audit: AuditLog;
}

export interface CharacterInput {
  name?: string;
  avatar?: string | null;
  personality?: string;
  background?: string;
  description?: string;
  language?: string | null;
  image_url?: string | null;
  icon_url?: string | null;
  image_prompt?: string | null;
  llm_id?: string | null;
  talkativeness?: number;
  /** Anyone signed in may read and cast it (default: private to its owner; public when staff make it). */
  is_public?: boolean;
}

/**
 * Contract 002's characters and stories: the two catalogs that are not plain CRUD. Who may read,
 * change or cast a row depends on its owner and on the published stories casting it, and stories
 * are published from templates with cast, opening and music checks. The plain catalogs are
 * declared in ./catalogs/ and served by the generic CatalogCrud.
 */
export class CatalogService {
  constructor(private readonly deps: Deps) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * Deletes a row through `remove` (which answers its columns as they were); when staff do it, the
   * audit log keeps what was deleted (members' own deletes are theirs).
   */
  private async destroyAudited(actor: Actor, kind: string, remove: () => Promise<Record<string, unknown>>) {
    const before = await remove();
    await this.deps.audit.record(actor, `${kind}.delete`, { kind, id: String(before.id) }, before);
  }

  private async mustFind<T>(finder: Promise<T | null>, what: string): Promise<T> {
    const row = await finder;
    if (!row) throw new NotFoundError(what);
    return row;
  }

  // ---- prompt templates -----------------------------------------------------------------------
  /** The active template of a type (newest first). */
  async promptTemplateOfType(type: string) {
    const row = await activePromptTemplate(this.deps.catalogTables, type);
    if (!row) throw new NotFoundError(`Prompt template of type ${type}`);
    return promptTemplateView(row);
  }

  // ---- characters -----------------------------------------------------------------------------
  /**
   * A character's `llm_id` names the chat model it speaks with: an unknown or inactive one is the
   * same 400 `invalid_model` every other route answers, not a character that later falls back
   * silently to another model.
   */
  private async checkCharacterModel(llmId: string | null | undefined) {
    if (!llmId) return;
    await this.deps.llm.findActive(llmId, ['chat', 'other']);
  }
  async createCharacter(actor: Actor, input: CharacterInput & { name: string }) {
    await this.checkCharacterModel(input.llm_id);
    const now = this.now();
    const row = await this.deps.characters.insert({
      id: this.deps.ids.snowflake(),
      user_id: actor.id,
      name: input.name,
      description: input.description ?? '',
      personality: input.personality ?? '',
      background: input.background ?? '',
      language: input.language ?? null,
      image_url: input.image_url ?? input.avatar ?? null,
      icon_url: input.icon_url ?? null,
      image_prompt: input.image_prompt ?? null,
      llm_id: input.llm_id ?? null,
      character_type: 'character',
      talkativeness: input.talkativeness ?? 0.5,
      // Members' characters are private unless they say otherwise; staff make shared catalog.
      is_public: input.is_public ?? isStaff(actor),
      created_at: now,
      updated_at: now,
    });
    return views.character(row);
  }
  async listCharacters(actor: Actor, input: { page?: number; limit?: number; all?: boolean }) {
    const owner = input.all && isStaff(actor) ? null : actor.id;
    const { rows, total } = await this.deps.characters.page(owner, pageWindow(input));
    return { total, items: rows.map(views.character) };
  }
  /**
   * The whole character to whoever may read it (character-access.ts); the public card to players
   * of a published story that casts it; to anyone else it does not exist.
   */
  async getCharacter(actor: Actor, id: string) {
    const row = await this.mustFind(this.deps.characters.byId(id), 'Character');
    if (canReadCharacter(actor, row)) return views.character(row);
    if (await this.castInPublishedStory(row.id)) return characterCard(row);
    throw new NotFoundError('Character');
  }
  /**
   * How many published stories cast the character: the repository narrows the stories down to
   * candidates whose cast text mentions it, and each candidate's array is then checked exactly.
   */
  private async publishedStoriesCasting(id: string): Promise<number> {
    const candidates = await this.deps.stories.publishedCastsMentioning(id);
    return candidates.filter((story) =>
      (JSON.parse(story.character_ids) as unknown[]).map(String).includes(id),
    ).length;
  }
  private async castInPublishedStory(id: string): Promise<boolean> {
    return (await this.publishedStoriesCasting(id)) > 0;
  }
  /** 404 to whoever may not read it, 403 to a reader who may not change it. */
  private async changeableCharacter(actor: Actor, id: string) {
    const row = await this.mustFind(this.deps.characters.byId(id), 'Character');
    if (!canReadCharacter(actor, row)) throw new NotFoundError('Character');
    if (!canChangeCharacter(actor, row)) throw new ForbiddenError('Not your character');
    return row;
  }
  async updateCharacter(actor: Actor, id: string, input: CharacterInput) {
    const row = await this.changeableCharacter(actor, id);
    await this.checkCharacterModel(input.llm_id);
    const patch: CharacterPatch = { updated_at: this.now() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.avatar !== undefined) patch.image_url = input.avatar;
    if (input.image_url !== undefined) patch.image_url = input.image_url;
    if (input.icon_url !== undefined) patch.icon_url = input.icon_url;
    if (input.personality !== undefined) patch.personality = input.personality;
    if (input.background !== undefined) patch.background = input.background;
    if (input.description !== undefined) patch.description = input.description;
    if (input.language !== undefined) patch.language = input.language;
    if (input.llm_id !== undefined) patch.llm_id = input.llm_id;
    if (input.talkativeness !== undefined) patch.talkativeness = input.talkativeness;
    // Stories already casting it keep it; only new casts depend on it being public.
    if (input.is_public !== undefined) patch.is_public = input.is_public;
    return views.character(await this.deps.characters.change(row, patch));
  }
  /**
   * Refused with 409 CHARACTER_IN_USE while a published story casts it: its players would lose a
   * speaker mid-story. Drafts simply lose it from their cast.
   */
  async deleteCharacter(actor: Actor, id: string) {
    const row = await this.changeableCharacter(actor, id);
    if (row.character_type === 'narrator') throw new ForbiddenError('The narrator cannot be deleted');
    const stories = await this.publishedStoriesCasting(row.id);
    if (stories)
      throw new AppError(
        'CHARACTER_IN_USE',
        `${stories} published ${stories === 1 ? 'story casts' : 'stories cast'} this character`,
        { status: 409 },
      );
    await this.destroyAudited(actor, 'character', () => this.deps.characters.remove(row));
  }
  /** The one shared narrator, created on first request. */
  async narrator() {
    const existing = await this.deps.characters.firstNarrator();
    if (existing) return views.character(existing);
    const now = this.now();
    const row = await this.deps.characters.insert({
      id: this.deps.ids.snowflake(),
      user_id: null,
      name: 'Narrator',
      description: 'The voice that tells the story: scenes, actions and consequences.',
      personality: 'Vivid, concise, neutral.',
      background: '',
      language: null,
      image_url: null,
      icon_url: null,
      image_prompt: null,
      llm_id: null,
      character_type: 'narrator',
      talkativeness: 0,
      is_public: true,
      created_at: now,
      updated_at: now,
    });
    return views.character(row);
  }

  // ---- stories --------------------------------------------------------------------------------
  /**
   * A cast: known characters, within the template's limit, and each one the author may use (their
   * own or public; character-access.ts). `alreadyCast` ids are kept without that check, so a story
   * whose character was made private after it was cast can still be edited.
   */
  private async checkCast(
    actor: Actor,
    ids: string[],
    templateId?: string | null,
    alreadyCast: string[] = [],
  ) {
    if (templateId) {
      const template = await this.deps.catalogTables.of('StoryTemplate').byId(templateId);
      if (!template) throw new ValidationError(`Unknown story template ${templateId}`);
      const count = (await this.deps.characters.typesOf(ids)).filter(
        (row) => row.character_type !== 'narrator',
      ).length;
      if (count > template.max_characters)
        throw new ValidationError(`This template allows at most ${template.max_characters} characters`);
    }
    const rows = await this.deps.characters.byIds(ids);
    if (rows.length !== new Set(ids).size) throw new ValidationError('Unknown character in the cast');
    const refused = rows.find((row) => !alreadyCast.includes(row.id) && !canUseCharacter(actor, row));
    if (refused)
      throw new ForbiddenError(
        `Character ${refused.id} is private: a story may cast only your own or public characters`,
      );
  }

  private checkOpenings(openings: unknown, castIds: string[]) {
    assertOpeningsSpokenByCast(openings, castIds, 'opening_messages');
  }

  /** A story's music must exist in the music catalog (its URL is what players get). */
  private async checkMusic(id: string | null | undefined) {
    if (!id) return;
    if (!(await this.deps.catalogTables.of('Music').byId(id)))
      throw new ValidationError(`Unknown background_music_id ${id}`);
  }

  async createStory(actor: Actor, input: { title: string; setting: Record<string, unknown> }) {
    const ids = ((input.setting.character_ids as unknown[]) ?? []).map(String);
    await this.checkCast(actor, ids);
    this.checkOpenings(input.setting.opening_messages, ids);
    const now = this.now();
    const row = await this.deps.stories.insert({
      id: this.deps.ids.snowflake(),
      user_id: actor.id,
      title: input.title,
      setting: JSON.stringify(input.setting),
      template_id: null,
      template_content: null,
      character_ids: JSON.stringify(ids),
      background_music_id: null,
      bg_image_url: null,
      language: null,
      is_published: false,
      created_at: now,
      updated_at: now,
    });
    return views.story(row);
  }

  async publishStory(
    actor: Actor,
    input: {
      template_id?: string;
      template_content?: string;
      characters: string[];
      background_music_id?: string | null;
      bg_image_url?: string | null;
      story_name: string;
      opening_messages?: Array<{ content: string; character: string }>;
      settings?: Record<string, unknown>;
      language?: string | null;
    },
  ) {
    const ids = input.characters.map(String);
    await this.checkCast(actor, ids, input.template_id);
    this.checkOpenings(input.opening_messages, ids);
    await this.checkMusic(input.background_music_id);
    const now = this.now();
    const setting = {
      ...(input.settings ?? {}),
      background: input.template_content ?? '',
      character_ids: ids,
      opening_messages: (input.opening_messages ?? []).map((m) => ({
        content: m.content,
        character_id: m.character,
      })),
    };
    const row = await this.deps.stories.insert({
      id: this.deps.ids.snowflake(),
      user_id: actor.id,
      title: input.story_name,
      setting: JSON.stringify(setting),
      template_id: input.template_id ?? null,
      template_content: input.template_content ?? null,
      character_ids: JSON.stringify(ids),
      background_music_id: input.background_music_id ?? null,
      bg_image_url: input.bg_image_url ?? null,
      language: input.language ?? null,
      is_published: true,
      created_at: now,
      updated_at: now,
    });
    // Bounded, and never a reason to refuse the story: without an intro the list shows the
    // template content and writes it later.
    await this.deps.intro?.writeAtPublish(row);
    return { id: row.id };
  }

  async listStories(actor: Actor, input: { page?: number; limit?: number; all?: boolean }) {
    const owner = input.all && isStaff(actor) ? null : actor.id;
    const { rows, total } = await this.deps.stories.page(owner, pageWindow(input));
    return { total, items: rows.map(views.story) };
  }

  async getStory(actor: Actor, id: string) {
    return views.story(assertCanReadStory(actor, await this.deps.stories.byId(id)));
  }

  async updateStory(actor: Actor, id: string, input: { title?: string; setting?: Record<string, unknown> }) {
    const row = assertCanChangeStory(actor, await this.deps.stories.byId(id));
    const patch: StoryPatch = { updated_at: this.now() };
    if (input.title !== undefined) patch.title = input.title;
    if (input.setting !== undefined) {
      const ids = ((input.setting.character_ids as unknown[]) ?? JSON.parse(row.character_ids)).map(String);
      await this.checkCast(
        actor,
        ids,
        row.template_id,
        (JSON.parse(row.character_ids) as unknown[]).map(String),
      );
      this.checkOpenings(input.setting.opening_messages, ids);
      patch.setting = JSON.stringify(input.setting);
      patch.character_ids = JSON.stringify(ids);
    }
    return views.story(await this.deps.stories.change(row, patch));
  }

  async deleteStory(actor: Actor, id: string) {
    const row = assertCanChangeStory(actor, await this.deps.stories.byId(id));
    await this.destroyAudited(actor, 'story', () => this.deps.stories.remove(row));
  }

  /** Published stories the actor has not started a conversation in (contract shape). */
  async unstartedStories(actor: Actor, input: { page?: number; limit?: number; includeStarted?: boolean }) {
    const { stories, characters, catalogTables, users } = this.deps;
    const started = await this.deps.conversations.storyIdsStartedBy(actor.id);
    const startedIds = input.includeStarted ? [] : [...new Set(started)];
    const rows = await stories.published(startedIds, pageWindow(input));
    const out = [];
    for (const story of rows) {
      const ids = JSON.parse(story.character_ids) as string[];
      const ordered = castInOrder(ids, ids.length ? await characters.byIds(ids) : []);
      const setting = JSON.parse(story.setting) as {
        background?: string;
        opening_messages?: Array<{ content: string }>;
      };
      this.deps.intro?.retrySoon(story);
      const music = story.background_music_id
        ? await catalogTables.of('Music').byId(story.background_music_id)
        : null;
      const firstCharacter = ordered.find((c) => c.character_type !== 'narrator');
      const creator = await users.userById(story.user_id);
      const wallet = await users.identityOfUser(story.user_id, 'wallet');
      out.push({
        id: story.id,
        title: story.title,
        intro: StoryIntroWriter.introOf(story),
        messages: (setting.opening_messages ?? []).map((m) => m.content),
        likes: '0',
        rewards: '0',
        background: story.bg_image_url ?? '',
        date: new Date(story.created_at).toISOString().slice(0, 10),
        characters: ordered.length,
        avatar_url: firstCharacter?.image_url ?? '',
        characterIcons: ordered.map((c) => c.icon_url ?? c.image_url ?? ''),
        // A private cast member shows its public card only (no persona).
        characterDetails: ordered.map((c) => castDetail(actor, c)),
        backgroundMusic: music?.url ?? '',
        created_by: wallet?.subject ?? story.user_id,
        creator_name: creator?.display_name ?? '',
        comments_count: '0',
      });
    }
    return out;
  }
}
