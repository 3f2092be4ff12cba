/**
 * Where the bots' place bindings live (which conversation a Discord thread or Telegram chat plays).
 * StoryChatBindingService reads and writes them only through this port; its Sequelize adapter
 * (story-chat-binding.repository.ts in the adapters folder) implements it.
 */

/** A place's binding to a conversation, active or ended. */
export interface StoryChatBindingRecord {
  id: string;
  /** discord | telegram */
  platform: string;
  /** Discord thread id, or Telegram `<chat id>:<topic id or empty>`. */
  channel: string;
  /** `channel` while active, null once ended (the unique index allows one active per place). */
  active_channel: string | null;
  parent_channel: string | null;
  conversation_id: string;
  story_id: string;
  started_by: string;
  ended_by: string | null;
  created_at: Date;
  ended_at: Date | null;
}

/** A binding to store: it starts active, so nobody ended it yet. */
export type NewStoryChatBinding = Omit<StoryChatBindingRecord, 'ended_by' | 'ended_at'>;

/** An insert refused because the place already has an active binding (another bot process won). */
export class PlaceTakenError extends Error {
  constructor() {
    super('the place already plays a story');
    this.name = 'PlaceTakenError';
  }
}

export interface StoryChatBindingRepository {
  /** The active binding of a place, or null. */
  active(platform: string, channel: string): Promise<StoryChatBindingRecord | null>;
  /** Stores an active binding; {@link PlaceTakenError} when the place has one already. */
  insert(record: NewStoryChatBinding): Promise<StoryChatBindingRecord>;
  /**
   * Ends the binding if it is still active on `channel` (conditional, so two processes ending one
   * binding at once both succeed without a double write).
   */
  endIfActive(
    id: string,
    channel: string,
    end: Pick<StoryChatBindingRecord, 'ended_at' | 'ended_by'>,
  ): Promise<void>;
}
