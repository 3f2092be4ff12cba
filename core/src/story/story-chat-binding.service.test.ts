import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../identity/actor.js';
import { createIdGenerator } from '../shared/ids.js';
import type { CharacterRecord } from './catalog/character.repository.js';
import type { StoryRecord } from './catalog/story.repository.js';
import type { ConversationRecord } from './conversation.repository.js';
import { StoryChatBindingService } from './story-chat-binding.service.js';
import { InMemoryStoryChatBindingRepository } from './testing/in-memory-story-chat-binding.repository.js';
import type { StoryChatBindingRepository } from './story-chat-binding.repository.js';

const starter: Actor = { id: 'u1', role: 'user', username: 'mia', displayName: 'Mia' };
const member: Actor = { id: 'u2', role: 'user', username: 'leo', displayName: 'Leo' };
const at = new Date('2026-01-02T03:04:05Z');

function story(id: string, title: string): StoryRecord {
  return {
    id,
    user_id: starter.id,
    title,
    setting: JSON.stringify({ background: `${title} background` }),
    template_id: null,
    template_content: null,
    character_ids: '[]',
    background_music_id: null,
    bg_image_url: null,
    language: null,
    is_published: true,
    generated_background: null,
    created_at: at,
    updated_at: at,
  };
}

/** The conversation side of a binding: conversations kept in a map, ended on request. */
class Conversations {
  readonly rows = new Map<string, ConversationRecord>();
  readonly ended: string[] = [];
  private next = 1;

  async createConversation(actor: Actor, input: { storyId: string }) {
    const conversation: ConversationRecord = {
      id: `c${this.next++}`,
      story_id: input.storyId,
      user_id: actor.id,
      status: 'active',
      summary: null,
      summary_upto: 0,
      created_at: at,
      updated_at: at,
    };
    this.rows.set(conversation.id, conversation);
    return { conversation, lastMessageId: null };
  }
  async endConversation(_actor: Actor, id: string) {
    this.ended.push(id);
    this.rows.get(id)!.status = 'ended';
  }
  async history() {
    return [];
  }
  async loadCast(): Promise<CharacterRecord[]> {
    return [];
  }
  async conversation(id: string) {
    return this.rows.get(id) ?? null;
  }
}

describe('StoryChatBindingService (in-memory bindings)', () => {
  let bindings: InMemoryStoryChatBindingRepository;
  let conversations: Conversations;
  const stories = new Map([
    ['s1', story('s1', 'Dinner date')],
    ['s2', story('s2', 'Heist')],
  ]);
  const service = (repository: StoryChatBindingRepository = bindings) =>
    new StoryChatBindingService({
      bindings: repository,
      conversationRows: conversations,
      stories: { byId: async (id) => stories.get(id) ?? null },
      conversations,
      ids: createIdGenerator(),
      clock: { now: () => at },
    });

  beforeEach(() => {
    bindings = new InMemoryStoryChatBindingRepository();
    conversations = new Conversations();
  });

  it('binds a place, finds it, and refuses a second story there with 409', async () => {
    const { binding } = await service().bind(starter, { platform: 'discord', channel: '42', storyId: 's1' });
    expect(binding).toMatchObject({ platform: 'discord', channel: '42', status: 'active', story_id: 's1' });
    expect(binding.story).toMatchObject({ title: 'Dinner date', intro: 'Dinner date background' });
    expect((await service().find(member, 'discord', '42'))?.conversation_id).toBe(binding.conversation_id);
    await expect(
      service().bind(member, { platform: 'discord', channel: '42', storyId: 's2' }),
    ).rejects.toMatchObject({
      code: 'STORY_RUNNING',
      status: 409,
      message: 'A story already runs here: Dinner date',
    });
  });

  it('lets a racing bind that lost the insert end its own conversation and name the winner', async () => {
    // Another bot process binds the place between this one's check and its insert.
    const racing: StoryChatBindingRepository = {
      active: (platform, channel) => bindings.active(platform, channel),
      endIfActive: (id, channel, end) => bindings.endIfActive(id, channel, end),
      insert: async (record) => {
        const winner = await conversations.createConversation(member, { storyId: 's2' });
        await bindings.insert({
          ...record,
          id: 'winner',
          conversation_id: winner.conversation.id,
          story_id: 's2',
        });
        return bindings.insert(record);
      },
    };
    await expect(
      service(racing).bind(starter, { platform: 'telegram', channel: '-100:', storyId: 's1' }),
    ).rejects.toMatchObject({ code: 'STORY_RUNNING', message: 'A story already runs here: Heist' });
    expect(conversations.ended).toEqual(['c1']);
    expect(bindings.rows.map((row) => row.id)).toEqual(['winner']);
  });

  it('frees a place whose conversation ended elsewhere', async () => {
    const { binding } = await service().bind(starter, { platform: 'discord', channel: '7', storyId: 's1' });
    conversations.rows.get(binding.conversation_id)!.status = 'ended';
    expect(await service().find(starter, 'discord', '7')).toBeNull();
    expect(bindings.rows[0]).toMatchObject({ active_channel: null, ended_by: null, ended_at: at });
  });

  it('ends only for who started it, staff or a place moderator, and ends the conversation too', async () => {
    const { binding } = await service().bind(starter, { platform: 'discord', channel: '9', storyId: 's1' });
    await expect(service().end(member, 'discord', '9')).rejects.toMatchObject({
      code: 'NOT_STORY_STARTER',
      status: 403,
    });
    const ended = await service().end(member, 'discord', '9', { placeModerator: true });
    expect(ended).toMatchObject({ status: 'ended', ended_at: at.toISOString() });
    expect(conversations.ended).toEqual([binding.conversation_id]);
    expect(bindings.rows[0]).toMatchObject({ active_channel: null, ended_by: member.id });
    await expect(service().end(starter, 'discord', '9')).rejects.toMatchObject({
      code: 'NO_STORY',
      status: 404,
    });
  });
});
