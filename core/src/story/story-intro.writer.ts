import type { StoryRecord, StoryRepository } from './catalog/story.repository.js';
import type { CharacterRepository } from './catalog/character.repository.js';
import type { CatalogTables } from './catalog/catalog-table.port.js';
import { activePromptTemplate } from './catalog/active-prompt-template.js';
import type { AiModelRecord, AiModelRepository } from './llm/ai-model.repository.js';
import type { ChatMessageParam } from '../ports/chat-provider.port.js';
import type { Logger } from '../shared/logger.js';
import type { LlmService } from './llm/llm.service.js';
import { parseSetting } from './story-setting.js';
import { isPublicCharacter } from './access/character-access.js';

interface Deps {
  stories: StoryRepository;
  characters: CharacterRepository;
  /** Staff's instructions (a prompt template of type {@link STORY_INTRO_TEMPLATE_TYPE}). */
  catalogTables: CatalogTables;
  aiModels: AiModelRepository;
  llm: LlmService;
  logger: Logger;
  /** How long publishing waits for the intro before storing the story without it (default 15 s). */
  publishTimeoutMs?: number;
  /** How long after a failed background attempt the next one may start (default 60 s). */
  retryAfterMs?: number;
}

/** Staff may replace the instructions with an active prompt template of this type. */
export const STORY_INTRO_TEMPLATE_TYPE = 'story_background';

const DEFAULT_INSTRUCTIONS =
  "You write the introduction players read before they join an interactive story. From the author's " +
  'notes below, write its background: where and when it takes place, the situation the players step ' +
  'into, and who is there. Two to four sentences of plain prose: no title, no lists, no labels from ' +
  'the notes, nothing about being an AI.';

/** Longest intro kept (a runaway model must not fill the list). */
const MAX_INTRO_CHARS = 4000;

/**
 * Contract 002's `intro` ("故事简介(generated_background)"): the LLM writes a story's background from
 * the author's template content, title, language and cast when the story is published, and it is
 * stored on the story. Publishing never fails because of it: when the LLM is down or slow the
 * story is stored without one, the list shows the template content meanwhile (`introOf`), and
 * listing such a story starts another attempt in the background (`retrySoon`).
 */
export class StoryIntroWriter {
  /** Background attempts running on this node, and when the last one of a story failed. */
  private readonly running = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: Deps) {}

  /** What the list shows: the written intro, else the template content it will be written from. */
  static introOf(story: StoryRecord): string {
    if (story.generated_background !== null && story.generated_background !== undefined)
      return story.generated_background;
    const { background } = JSON.parse(story.setting) as { background?: unknown };
    return typeof background === 'string' ? background : '';
  }

  /** Writes and stores the intro of a just-published story within the publish time budget. */
  async writeAtPublish(story: StoryRecord): Promise<void> {
    const signal = AbortSignal.timeout(this.deps.publishTimeoutMs ?? 15_000);
    try {
      await this.writeAndStore(story, signal);
    } catch (error) {
      this.deps.logger.warn(
        { story: story.id, err: (error as Error).message },
        'story intro not written at publish; the list shows the template content and retries later',
      );
    }
  }

  /**
   * Starts writing a listed story's missing intro without waiting for it: at most one attempt per
   * story at a time on this node, and none within `retryAfterMs` of a failed one.
   */
  retrySoon(story: StoryRecord): void {
    if (story.generated_background !== null || this.running.has(story.id)) return;
    const failed = this.failedAt.get(story.id);
    if (failed !== undefined && Date.now() - failed < (this.deps.retryAfterMs ?? 60_000)) return;
    this.running.add(story.id);
    void this.writeAndStore(story)
      .then(() => this.failedAt.delete(story.id))
      .catch((error: Error) => {
        this.failedAt.set(story.id, Date.now());
        this.deps.logger.warn({ story: story.id, err: error.message }, 'story intro retry failed');
      })
      .finally(() => {
        this.running.delete(story.id);
        if (!this.running.size) for (const resolve of this.idle) resolve();
      });
  }

  /** Resolves when no background attempt is running (shutdown and tests). */
  async settled(): Promise<void> {
    if (!this.running.size) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  private async writeAndStore(story: StoryRecord, signal?: AbortSignal): Promise<void> {
    const intro = await this.write(story, signal);
    // Only a story still without one: another node's attempt may have finished first.
    if (await this.deps.stories.storeIntroIfMissing(story.id, intro)) story.generated_background = intro;
  }

  private async write(story: StoryRecord, signal?: AbortSignal): Promise<string> {
    const setting = parseSetting(story.setting);
    const model = await this.model(setting.config.model);
    const ids = JSON.parse(story.character_ids) as string[];
    const cast = ids.length ? await this.deps.characters.byIds(ids) : [];
    const template = await activePromptTemplate(this.deps.catalogTables, STORY_INTRO_TEMPLATE_TYPE);
    const language = story.language ? `Write in this language: ${story.language}.` : '';
    const messages: ChatMessageParam[] = [
      { role: 'system', content: [template?.content ?? DEFAULT_INSTRUCTIONS, language].join(' ').trim() },
      {
        role: 'user',
        content: [
          `Title: ${story.title}`,
          `Author's notes:\n${story.template_content ?? setting.background ?? ''}`,
          cast.length
            ? `Characters:\n${cast
                .filter((character) => character.character_type !== 'narrator')
                // Players see only the public card of a private cast member: its name, no persona.
                .map((character) =>
                  isPublicCharacter(character) && character.description
                    ? `- ${character.name}: ${character.description}`
                    : `- ${character.name}`,
                )
                .join('\n')}`
            : '',
        ]
          .filter(Boolean)
          .join('\n\n'),
      },
    ];
    const { result } = await this.deps.llm.complete(model, messages, { maxTokens: 600, signal });
    const intro = result.content.trim().slice(0, MAX_INTRO_CHARS);
    if (!intro) throw new Error('the model wrote an empty intro');
    return intro;
  }

  /** The story's own chat model when it names an active one, else the first active chat model. */
  private async model(llmId: string | undefined): Promise<AiModelRecord> {
    const { aiModels } = this.deps;
    const own = llmId ? await aiModels.active(llmId) : null;
    if (own && (own.type === 'chat' || own.type === 'other')) return own;
    const any = await aiModels.firstActive('chat');
    if (!any) throw new Error('no active chat model');
    return any;
  }
}
