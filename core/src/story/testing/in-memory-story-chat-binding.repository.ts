import {
  PlaceTakenError,
  type NewStoryChatBinding,
  type StoryChatBindingRecord,
  type StoryChatBindingRepository,
} from '../story-chat-binding.repository.js';

/**
 * The bindings port in memory, for unit tests of StoryChatBindingService. Like the table's unique
 * index on (platform, active_channel), it refuses a second active binding of a place.
 */
export class InMemoryStoryChatBindingRepository implements StoryChatBindingRepository {
  readonly rows: StoryChatBindingRecord[] = [];

  async active(platform: string, channel: string): Promise<StoryChatBindingRecord | null> {
    const row = this.rows.find((r) => r.platform === platform && r.active_channel === channel);
    return row ? { ...row } : null;
  }

  async insert(record: NewStoryChatBinding): Promise<StoryChatBindingRecord> {
    if (await this.active(record.platform, record.active_channel ?? '')) throw new PlaceTakenError();
    const row = { ...record, ended_by: null, ended_at: null };
    this.rows.push(row);
    return { ...row };
  }

  async endIfActive(
    id: string,
    channel: string,
    end: Pick<StoryChatBindingRecord, 'ended_at' | 'ended_by'>,
  ): Promise<void> {
    const row = this.rows.find((r) => r.id === id && r.active_channel === channel);
    if (row) Object.assign(row, { active_channel: null, ...end });
  }
}
