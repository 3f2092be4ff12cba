import type { AiModelRecord, AiModelRepository } from './llm/ai-model.repository.js';
import type { LlmService } from './llm/llm.service.js';
import type { Logger } from '../shared/logger.js';
import { contractHistory, type ContractHistoryMessage } from './contract-history.js';
import { buildPickerPrompt, type HistoryLine } from './prompt-builder.js';
import {
  pickerSchema,
  selectByRules,
  validateLlmPick,
  type CastMember,
  type SpeakerStrategy,
} from './speaker-selector.js';
import type { StorySetting } from './story-setting.js';

interface Deps {
  /** The model catalog: the picker model of a story, or the first chat model. */
  models: AiModelRepository;
  llm: LlmService;
  logger: Logger;
  random?: () => number;
}

/**
 * Who answers a user's line: the rules of speaker-selector.ts first (mentions, the narrator,
 * the story's strategy), and a model asked only when they leave the choice open. The model's
 * answer is checked against the cast; when it fails, the rules decide.
 */
export class SpeakerChoice {
  constructor(private readonly deps: Deps) {}

  castMembers(
    cast: ReadonlyArray<{ id: string; name: string; talkativeness: number; character_type: string }>,
  ): CastMember[] {
    return cast.map((row) => ({
      id: row.id,
      name: row.name,
      talkativeness: row.talkativeness,
      isNarrator: row.character_type === 'narrator',
    }));
  }

  /** Rules first; the LLM only when they leave it open; its failure falls back to the rules. */
  async chooseSpeakers(
    cast: CastMember[],
    history: HistoryLine[],
    userMessage: string,
    options: { strategy: SpeakerStrategy; allowSelfResponses: boolean; pickerModel?: AiModelRecord | null },
  ): Promise<{ speakers: CastMember[]; reason: string }> {
    const rules = selectByRules({
      cast,
      history: history.map((line) => ({ role: line.role, characterId: line.characterId })),
      userMessage,
      strategy: options.strategy,
      allowSelfResponses: options.allowSelfResponses,
      random: this.deps.random,
    });
    if (!rules.open || !options.pickerModel) return { speakers: rules.speakers, reason: rules.reason };
    const picked = await this.askPicker(cast, history, userMessage, options.pickerModel);
    return picked ? { speakers: picked, reason: 'llm' } : { speakers: rules.speakers, reason: 'fallback' };
  }

  async askPicker(
    cast: CastMember[],
    history: HistoryLine[],
    userMessage: string,
    model: AiModelRecord,
  ): Promise<CastMember[] | null> {
    try {
      const { result } = await this.deps.llm.complete(
        model,
        buildPickerPrompt(
          cast.map((member) => member.name),
          history,
          userMessage,
        ),
        {
          responseFormat: {
            type: 'json_schema',
            json_schema: { name: 'speakers', schema: pickerSchema(cast), strict: true },
          },
          maxTokens: 200,
        },
      );
      if (result.finishReason === 'length') return null;
      return validateLlmPick(cast, result.content);
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'speaker picker failed; using the rules');
      return null;
    }
  }

  /** The model that picks speakers (and writes summaries): the story's picker, its model, or any chat model. */
  async pickerModel(setting: StorySetting): Promise<AiModelRecord | null> {
    const llmId = setting.config.picker_model ?? setting.config.model;
    if (llmId) {
      const row = await this.deps.models.active(llmId);
      if (row) return row;
    }
    return this.deps.models.firstActive('chat');
  }

  /**
   * Contract `select-speakers`: a cast of names only (no story). Mentions first, then the
   * narrator's rule, then the LLM (names validated against the cast); if it fails, the first
   * character who has not spoken since the user's last message.
   */
  async selectSpeakersByNames(input: {
    characterNames: string[];
    userMessage: string;
    history: ContractHistoryMessage[];
    historyLength?: number;
  }): Promise<string[]> {
    const cast: CastMember[] = input.characterNames.map((name) => ({
      id: name,
      name,
      talkativeness: 0,
      isNarrator: /^(narrator|旁白)$/i.test(name.trim()),
    }));
    const history = contractHistory(input.history.slice(-(input.historyLength ?? 25)), cast);
    const rules = selectByRules({
      cast,
      history: history.map((line) => ({ role: line.role, characterId: line.characterId })),
      userMessage: input.userMessage,
      strategy: 'pooled',
      random: () => 0,
    });
    if (rules.reason === 'mention' || rules.reason === 'narrator') return rules.speakers.map((m) => m.name);
    const model = await this.deps.models.firstActive('chat');
    const picked = model ? await this.askPicker(cast, history, input.userMessage, model) : null;
    return (picked ?? rules.speakers).map((member) => member.name);
  }
}
