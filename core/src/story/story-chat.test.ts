import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sequelize } from 'sequelize';
import { defineStoryModels, type StoryModels } from '../adapters/sequelize/story.models.js';
import {
  ChatProviderError,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
} from '../ports/chat-provider.port.js';
import type { DomainEvent, EventBus } from '../ports/event-bus.port.js';
import { createIdGenerator } from '../shared/ids.js';
import { createLogger } from '../shared/logger.js';
import { SecretBox } from '../shared/secret-box.js';
import { LlmService } from './llm/llm.service.js';
import type { Actor } from '../identity/actor.js';
import { sequelizeConversationRepository } from '../adapters/sequelize/conversation.repository.js';
import { sequelizeAiModelRepository } from '../adapters/sequelize/ai-model.repository.js';
import { sequelizeMembershipRepository } from '../adapters/sequelize/membership.repository.js';
import { sequelizeStoryRepository } from '../adapters/sequelize/story.repository.js';
import { sequelizeCharacterRepository } from '../adapters/sequelize/character.repository.js';
import { sequelizeCatalogTables } from '../adapters/sequelize/catalog-table.js';
import { CONVERSATIONS_ROOM } from './conversation.store.js';
import type { TurnListener } from './story-reply.service.js';
import { createStoryChat, type StoryChat } from './story-chat.js';

/** A scripted chat provider: `reply(request)` decides each answer; every request is recorded. */
class FakeChat implements ChatProvider {
  readonly requests: ChatRequest[] = [];
  constructor(public reply: (request: ChatRequest) => string | Error) {}
  async complete(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    const answer = this.reply(request);
    if (answer instanceof Error) throw answer;
    return {
      content: answer,
      finishReason: 'stop',
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
  }
  async *stream(request: ChatRequest): AsyncIterable<string> {
    this.requests.push(request);
    const answer = this.reply(request);
    if (answer instanceof Error) throw answer;
    for (const word of answer.split(/(?<= )/)) yield word;
  }
}

class FakeEvents implements EventBus {
  readonly published: DomainEvent[] = [];
  async publish(event: DomainEvent) {
    this.published.push(event);
  }
  async subscribe() {
    return async () => undefined;
  }
  async close() {}
}

/** One bus for several engines (nodes): every subscriber hears every event, as with Redis. */
class BroadcastEvents implements EventBus {
  private readonly listeners: Array<(event: DomainEvent) => void> = [];
  async publish(event: DomainEvent) {
    for (const listener of this.listeners) listener(event);
  }
  async subscribe(listener: (event: DomainEvent) => void) {
    this.listeners.push(listener);
    return async () => undefined;
  }
  async close() {}
}

const owner: Actor = { id: 'u1', role: 'user', username: null, displayName: 'Mia' };
const system = (request: ChatRequest) => String(request.messages[0].content);
const isPicker = (request: ChatRequest) => request.responseFormat?.type === 'json_schema';
const isSummary = (request: ChatRequest) => system(request).includes('running summary');

describe('story chat services (engine, with a fake LLM)', () => {
  let sequelize: Sequelize;
  let models: StoryModels;
  let chat: FakeChat;
  let events: FakeEvents;
  let service: StoryChat;
  let random: () => number;

  async function model(llmId: string, providerModel = llmId, type = 'chat') {
    const now = new Date();
    return models.AiModel.create({
      id: llmId,
      llm_id: llmId,
      name: llmId,
      type,
      provider_model: providerModel,
      base_url: null,
      api_key_enc: null,
      temperature: 0.7,
      max_tokens: null,
      created_at: now,
      updated_at: now,
    });
  }

  async function character(id: string, name: string, talkativeness = 0.5, extra: { llm_id?: string } = {}) {
    const now = new Date();
    return models.Character.create({
      id,
      user_id: owner.id,
      name,
      description: `${name} description`,
      personality: `${name} personality`,
      background: '',
      language: null,
      image_url: null,
      icon_url: null,
      image_prompt: null,
      llm_id: extra.llm_id ?? null,
      character_type: name === 'Narrator' ? 'narrator' : 'character',
      talkativeness,
      created_at: now,
      updated_at: now,
    });
  }

  async function story(config: Record<string, unknown>, castIds = ['a', 'b', 'c']) {
    const now = new Date();
    await models.Story.create({
      id: 's1',
      user_id: owner.id,
      title: 'Dinner date',
      setting: JSON.stringify({ config, background: 'A fancy restaurant', opening_messages: [] }),
      template_id: null,
      template_content: null,
      character_ids: JSON.stringify(castIds),
      background_music_id: null,
      bg_image_url: null,
      language: 'English',
      is_published: false,
      created_at: now,
      updated_at: now,
    });
    return (await service.conversations.createConversation(owner, { storyId: 's1' })).conversation.id;
  }

  beforeEach(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    models = defineStoryModels(sequelize);
    await sequelize.sync();
    chat = new FakeChat((request) => `reply from ${request.model}`);
    events = new FakeEvents();
    random = () => 0;
    const logger = createLogger({ level: 'silent' });
    const llm = new LlmService({
      models: sequelizeAiModelRepository(models),
      provider: chat,
      secrets: new SecretBox('k'.repeat(40)),
      clock: { now: () => new Date() },
      logger,
    });
    service = createStoryChat({
      repository: sequelizeConversationRepository(models),
      stories: sequelizeStoryRepository(models),
      characters: sequelizeCharacterRepository(models),
      catalogTables: sequelizeCatalogTables(models),
      aiModels: sequelizeAiModelRepository(models),
      members: sequelizeMembershipRepository(models),
      llm,
      events,
      ids: createIdGenerator(),
      clock: { now: () => new Date() },
      logger,
      random: () => random(),
    });
    await model('main-chat');
    await character('a', 'Alice', 0.9);
    await character('b', 'Bob', 0.2);
    await character('c', 'Cleo', 0.5);
  });
  afterEach(async () => {
    await sequelize.close();
  });

  it('plays a list-order turn: each character answers in turn and sees the replies before it', async () => {
    const id = await story({ speaker_strategy: 'list' });
    chat.reply = (request) => `I am ${system(request).match(/You are (\w+)/)?.[1]}.`;
    const seen: string[] = [];
    const listener: TurnListener = { onStart: (start) => seen.push(start.character_name) };
    const { user, replies } = await service.replies.playTurn(owner, {
      conversationId: id,
      content: 'Hello all',
      listener,
    });
    expect(seen).toEqual(['Alice', 'Bob', 'Cleo']);
    expect(replies.map((r) => r.content)).toEqual(['I am Alice.', 'I am Bob.', 'I am Cleo.']);
    expect([user.sequence, ...replies.map((r) => r.sequence)]).toEqual([1, 2, 3, 4]);
    // Cleo's prompt carries the user's line and both earlier replies, others' lines as `Name: text`.
    const cleo = chat.requests.find((r) => system(r).startsWith('You are Cleo'))!;
    const lines = cleo.messages.slice(1).map((m) => m.content);
    expect(lines).toEqual(['Mia: Hello all', 'Alice: I am Alice.', 'Bob: I am Bob.']);
    expect(system(cleo)).toContain('A fancy restaurant');
    expect(system(cleo)).toContain('Always answer in English');
    // What members receive; the control room (other nodes' page caches, never joined) aside.
    const toMembers = events.published.filter((e) => e.room !== CONVERSATIONS_ROOM);
    const names = toMembers.map((e) => e.name);
    expect(names[0]).toBe('speaker.chosen');
    expect(names.filter((n) => n === 'message.end')).toHaveLength(3);
    expect(toMembers.every((e) => e.room === `conversation:${id}`)).toBe(true);
  });

  it('mentions win over the strategy', async () => {
    const id = await story({ speaker_strategy: 'list' });
    const { replies } = await service.replies.playTurn(owner, {
      conversationId: id,
      content: 'Cleo, your turn',
    });
    expect(replies.map((r) => r.character_name)).toEqual(['Cleo']);
  });

  it('asks the LLM only when the rules leave it open, and uses its valid answer', async () => {
    const id = await story({ speaker_strategy: 'natural' });
    random = () => 0.999; // nobody volunteers
    chat.reply = (request) => (isPicker(request) ? '{"speakers":["Bob"]}' : 'ok');
    const { replies } = await service.replies.playTurn(owner, { conversationId: id, content: 'Anyone?' });
    expect(replies.map((r) => r.character_name)).toEqual(['Bob']);
    expect(chat.requests.filter(isPicker)).toHaveLength(1);
    const schema = chat.requests.find(isPicker)!.responseFormat as { json_schema: { schema: any } };
    expect(schema.json_schema.schema.properties.speakers.items.enum).toEqual(['Alice', 'Bob', 'Cleo']);
  });

  it('falls back to the rules when the LLM picker invents a name or answers malformed JSON', async () => {
    const id = await story({ speaker_strategy: 'natural' });
    random = () => 0.999; // nobody volunteers; the fallback picks the last eligible one
    for (const answer of ['{"speakers":["Zorro"]}', 'not json', new ChatProviderError('down', 500, true)]) {
      chat.reply = (request) => (isPicker(request) ? answer : 'ok');
      const { replies } = await service.replies.playTurn(owner, {
        conversationId: id,
        content: 'Anyone at all?',
      });
      expect(replies).toHaveLength(1);
      expect(['Alice', 'Bob', 'Cleo']).toContain(replies[0].character_name);
    }
    // The rules were consulted without asking the LLM when someone volunteers.
    random = () => 0;
    const before = chat.requests.filter(isPicker).length;
    await service.replies.playTurn(owner, { conversationId: id, content: 'Hello' });
    expect(chat.requests.filter(isPicker).length).toBe(before);
  });

  it('keeps a running summary of what fell out of history_length', async () => {
    const id = await story({ speaker_strategy: 'list', history_length: 4, summary_length: 50 }, ['a']);
    chat.reply = (request) => (isSummary(request) ? 'SUMMARY: they met.' : 'Nice.');
    await service.replies.playTurn(owner, { conversationId: id, content: 'one' });
    await service.replies.playTurn(owner, { conversationId: id, content: 'two' });
    expect(chat.requests.filter(isSummary)).toHaveLength(0); // 4 messages: all in the window
    await service.replies.playTurn(owner, { conversationId: id, content: 'three' });
    const summaries = chat.requests.filter(isSummary);
    expect(summaries).toHaveLength(1);
    expect(String(summaries[0].messages[1].content)).toContain('Mia: one');
    const conversation = await models.Conversation.findByPk(id);
    expect(conversation!.summary).toBe('SUMMARY: they met.');
    expect(conversation!.summary_upto).toBe(2);
    // The next reply's prompt carries the summary and only the last 4 messages.
    await service.replies.playTurn(owner, { conversationId: id, content: 'four' });
    const last = chat.requests.filter((r) => !isSummary(r)).at(-1)!;
    expect(system(last)).toContain('SUMMARY: they met.');
    expect(last.messages.length - 1).toBe(4);
  });

  it('fails over to another model of the same type when the character model fails', async () => {
    await model('backup-chat');
    await models.Character.update({ llm_id: 'main-chat' }, { where: { id: 'a' } });
    const id = await story({ speaker_strategy: 'list' }, ['a']);
    chat.reply = (request) =>
      request.model === 'main-chat'
        ? new ChatProviderError('rate limited', 429, true)
        : `from ${request.model}`;
    const { replies } = await service.replies.playTurn(owner, { conversationId: id, content: 'hi' });
    expect(replies[0].content).toBe('from backup-chat');
    expect(chat.requests.map((r) => r.model)).toEqual(['main-chat', 'backup-chat']);
  });

  it('regenerates the last reply keeping the earlier version, continues it, and edits', async () => {
    const id = await story({ speaker_strategy: 'list' }, ['a']);
    chat.reply = () => 'first';
    const { replies } = await service.replies.playTurn(owner, { conversationId: id, content: 'hi' });
    chat.reply = () => 'second';
    const swiped = await service.replies.regenerate(owner, { conversationId: id });
    expect(swiped.id).toBe(replies[0].id);
    expect(swiped.content).toBe('second');
    expect(swiped.swipes).toEqual(['first']);
    chat.reply = () => 'and more';
    const continued = await service.replies.continueReply(owner, { conversationId: id });
    expect(continued.content).toBe('second and more');
    const edited = await service.conversations.editMessage(owner, continued.id, 'edited');
    expect(edited.content).toBe('edited');
    const history = await service.conversations.history(owner, id);
    expect(history.map((m) => m.content)).toEqual(['hi', 'edited']);
  });

  it('a node holding a conversation in memory hears of edits and of its end on another node', async () => {
    const bus = new BroadcastEvents();
    const logger = createLogger({ level: 'silent' });
    const node = () =>
      createStoryChat({
        repository: sequelizeConversationRepository(models),
        stories: sequelizeStoryRepository(models),
        characters: sequelizeCharacterRepository(models),
        catalogTables: sequelizeCatalogTables(models),
        aiModels: sequelizeAiModelRepository(models),
        members: sequelizeMembershipRepository(models),
        llm: new LlmService({
          models: sequelizeAiModelRepository(models),
          provider: chat,
          secrets: new SecretBox('k'.repeat(40)),
          clock: { now: () => new Date() },
          logger,
        }),
        events: bus,
        ids: createIdGenerator(),
        clock: { now: () => new Date() },
        logger,
        random: () => 0,
      });
    const [first, second] = [node(), node()];
    const id = await story({ speaker_strategy: 'list' }, ['a']);
    chat.reply = () => 'original line';
    // Two turns: the first subscribes to the bus, the second is served from memory and kept there.
    await first.replies.playTurn(owner, { conversationId: id, content: 'hi' });
    const { replies } = await first.replies.playTurn(owner, { conversationId: id, content: 'and?' });
    await second.conversations.editMessage(owner, replies[0].id, 'edited elsewhere');
    chat.requests.length = 0;
    await first.replies.playTurn(owner, { conversationId: id, content: 'go on' });
    const prompt = chat.requests.find((request) => !isPicker(request) && !isSummary(request))!;
    expect(JSON.stringify(prompt.messages)).toContain('edited elsewhere');
    await second.conversations.endConversation(owner, id);
    await expect(
      first.replies.playTurn(owner, { conversationId: id, content: 'still there?' }),
    ).rejects.toThrow(/ended/);
  });

  it('records several humans in one conversation once they joined it with an invite code', async () => {
    const id = await story({ speaker_strategy: 'list' }, ['a']);
    await models.Story.update({ is_published: true }, { where: { id: 's1' } });
    const guest: Actor = { id: 'u2', role: 'user', username: null, displayName: 'Noah' };
    // Knowing the id of a published story's conversation is not an invitation.
    await expect(
      service.replies.playTurn(guest, { conversationId: id, content: 'let me in' }),
    ).rejects.toThrow(/Conversation not found/);
    await expect(service.conversations.invite(guest, id)).rejects.toThrow(/Conversation not found/);
    const { code } = await service.conversations.invite(owner, id);
    expect(await service.conversations.join(guest, code)).toMatchObject({
      conversation_id: id,
      story_id: 's1',
    });
    await service.replies.playTurn(guest, { conversationId: id, content: 'hey there', authorName: 'Noah' });
    const history = await service.conversations.history(guest, id);
    expect(history.find((m) => m.role === 'user')).toMatchObject({
      author_user_id: 'u2',
      author_name: 'Noah',
    });
    // The code is spent: a third member cannot reuse it.
    const stranger: Actor = { id: 'u3', role: 'user', username: null, displayName: null };
    await expect(service.conversations.join(stranger, code)).rejects.toThrow(/Invite not found/);
    await expect(service.conversations.history(stranger, id)).rejects.toThrow(/Conversation not found/);
    expect(await models.ChatMessage.count({ where: { conversation_id: id, author_user_id: 'u3' } })).toBe(0);
  });

  it('refuses an expired invite code', async () => {
    const id = await story({ speaker_strategy: 'list' }, ['a']);
    const { code } = await service.conversations.invite(owner, id);
    await models.ConversationInvite.update({ expires_at: new Date(Date.now() - 1000) }, { where: {} });
    const late: Actor = { id: 'u4', role: 'user', username: null, displayName: null };
    await expect(service.conversations.join(late, code)).rejects.toThrow(/Invite not found/);
    expect(await models.ConversationParticipant.count({ where: { user_id: 'u4' } })).toBe(0);
  });

  it('deletes conversations untouched for 30 days with their messages', async () => {
    const old = await story({ speaker_strategy: 'list' }, ['a']);
    await service.replies.playTurn(owner, { conversationId: old, content: 'long ago' });
    await models.Conversation.update(
      { updated_at: new Date(Date.now() - 31 * 86_400_000) },
      { where: { id: old } },
    );
    const { conversation: fresh } = await service.conversations.createConversation(owner, { storyId: 's1' });
    expect(await service.retention.cleanup(30)).toBe(1);
    expect(await models.Conversation.findByPk(old)).toBeNull();
    expect(await models.ChatMessage.count({ where: { conversation_id: old } })).toBe(0);
    expect(await models.Conversation.findByPk(fresh.id)).not.toBeNull();
  });
});
