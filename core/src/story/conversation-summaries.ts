import type { LlmService } from './llm/llm.service.js';
import type { Logger } from '../shared/logger.js';
import type { LoadedConversation } from './conversation-gate.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { ConversationStore } from './conversation.store.js';
import { buildSummaryPrompt, type HistoryLine } from './prompt-builder.js';
import type { SpeakerChoice } from './speaker-choice.js';
import type { WindowMessage } from './conversation-window.cache.js';

interface Deps {
  repository: ConversationRepository;
  conversations: ConversationStore;
  speakers: SpeakerChoice;
  llm: LlmService;
  logger: Logger;
  /** The history window of a conversation (the request's, the story's, or the default). */
  historyLength(loaded: LoadedConversation): number;
}

/** A stored message as a prompt line. */
export function historyLine(row: WindowMessage): HistoryLine {
  return {
    role: row.role === 'user' ? 'user' : 'assistant',
    speaker: (row.role === 'user' ? row.author_name : row.character_name) ?? 'User',
    characterId: row.character_id,
    content: row.content,
  };
}

/**
 * Each conversation's running summary: messages that fell out of the history window are folded
 * into it (`summary_length` words), one summary at a time per conversation. Failures keep the
 * old summary; the next turn tries again.
 */
export class ConversationSummaries {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: Deps) {}

  /** Waits for a running summary of a conversation (tests, shutdown). */
  async settled(conversationId: string): Promise<void> {
    await this.running.get(conversationId);
  }

  /** Folds what left the window into the summary; `lastSequence` (just stored) skips the read when nothing did. */
  async summarize(loaded: LoadedConversation, lastSequence?: number): Promise<void> {
    const id = loaded.conversation.id;
    // Nothing has left the window yet: no need to ask the database.
    if (
      lastSequence !== undefined &&
      lastSequence - this.deps.historyLength(loaded) <= loaded.conversation.summary_upto &&
      !this.running.has(id)
    )
      return;
    const previous = this.running.get(id) ?? Promise.resolve();
    const run = previous.then(() => this.fold(loaded));
    const tracked = run.finally(() => {
      if (this.running.get(id) === tracked) this.running.delete(id);
    });
    this.running.set(id, tracked);
    await tracked;
  }

  private async fold(loaded: LoadedConversation): Promise<void> {
    const { repository } = this.deps;
    const id = loaded.conversation.id;
    const historyLength = this.deps.historyLength(loaded);
    const conversation = await repository.conversation(id);
    if (!conversation) return;
    const windowStart = (await repository.maxSequence(id)) - historyLength + 1;
    if (windowStart - 1 <= conversation.summary_upto) return;
    const dropped = await repository.between(id, conversation.summary_upto, windowStart);
    if (!dropped.length) return;
    try {
      const model = await this.deps.speakers.pickerModel(loaded.setting);
      if (!model) return;
      const { result } = await this.deps.llm.complete(
        model,
        buildSummaryPrompt(
          conversation.summary,
          dropped.map(historyLine),
          loaded.setting.config.summary_length ?? 200,
        ),
      );
      const summary = { summary: result.content.trim(), summary_upto: windowStart - 1 };
      await repository.update(id, summary);
      this.deps.conversations.patchState(id, summary);
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message, conversationId: id }, 'summary failed');
    }
  }
}
