import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../shared/logger.js';
import type { ConversationMembership } from './access/conversation-membership.js';
import type { ConversationStore } from './conversation.store.js';
import type { ConversationRepository } from './conversation.repository.js';

interface Deps {
  repository: ConversationRepository;
  membership: ConversationMembership;
  conversations: ConversationStore;
  clock: Clock;
  logger: Logger;
}

/**
 * Story history is kept for STORY_HISTORY_RETENTION_DAYS after a conversation was last written
 * (its `updated_at`, touched by new messages): older conversations are deleted with their
 * messages, participants and invites, in sweeps the worker runs hourly.
 */
export class ConversationRetentionService {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Deps) {}

  /** Deletes conversations (and their messages) untouched for `days` days; returns how many. */
  async cleanup(days = 30): Promise<number> {
    const cutoff = new Date(this.deps.clock.now().getTime() - days * 86_400_000);
    const ids = await this.deps.repository.untouchedSince(cutoff, 1000);
    if (!ids.length) return 0;
    await this.deps.membership.forget(ids);
    await this.deps.repository.deleteConversations(ids);
    // Every node drops the deleted conversations' remembered history pages.
    this.deps.conversations.messagesChanged(ids);
    return ids.length;
  }

  /** Sweeps now and every `intervalMs` (the worker's job); a second call changes nothing. */
  start(days: number, intervalMs = 3_600_000): void {
    if (this.timer) return;
    void this.sweep(days);
    this.timer = setInterval(() => void this.sweep(days), intervalMs);
    // A sweep never keeps the process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sweep(days: number): Promise<void> {
    try {
      // Several workers may sweep at once; deleting the same old rows twice is harmless.
      const removed = await this.cleanup(days);
      if (removed) this.deps.logger.info({ removed }, 'old conversations deleted');
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'conversation cleanup failed');
    }
  }
}
