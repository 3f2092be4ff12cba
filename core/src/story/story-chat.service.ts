import { Op } from 'sequelize';
import { AppError, ForbiddenError, NotFoundError, ValidationError, isAppError } from '../errors.js';
import { assertOpeningsSpokenByCast } from './opening-speakers.js';
import type {
  AiModelRow,
  CharacterRow,
  ChatMessageRow,
  ConversationRow,
  StoryModels,
  StoryRow,
} from '../adapters/sequelize/story.models.js';
import { SharedTick } from '../shared/shared-tick.js';
import type { ConversationState, WindowMessage } from './conversation-window.cache.js';
import { messageView, type ChatMessageView } from './chat-message.view.js';
import { ConversationStore, roomOf, type NewMessage } from './conversation.store.js';
import { StoryRowsCache } from './story-rows.cache.js';
import { ConversationRetentionService } from './conversation-retention.service.js';
import type { Actor } from '../identity/actor.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { LlmService } from '../llm/llm.service.js';
import { buildCharacterPrompt, buildSummaryPrompt, type HistoryLine } from './prompt-builder.js';
import { SPEAKER_STRATEGIES, type CastMember } from './speaker-selector.js';
import { SpeakerChoice } from './speaker-choice.js';
import { contractHistory, type ContractHistoryMessage } from './contract-history.js';
import { parseSetting, type StorySetting } from './story-setting.js';
import type { StoryChatBindingRow } from '../adapters/sequelize/story-chat-binding.model.js';
import { assertCanUseCharacter } from './access/character-access.js';
import { assertCanReadStory } from './access/story-access.js';
import {
  assertMayDo,
  mayEditMessage,
  standingOf,
  type ConversationAction,
} from './access/conversation-access.js';
import { ConversationMembership } from './access/conversation-membership.js';

export { messageView, type ChatMessageView } from './chat-message.view.js';
export { roomOf, CONVERSATIONS_ROOM, MESSAGES_CHANGED } from './conversation.store.js';

/** Everything a transport needs to stream a turn; all optional. */
export interface TurnListener {
  onSpeakers?(speakers: Array<{ id: string; name: string }>): void;
  onStart?(start: { message_id: string; character_id: string; character_name: string }): void;
  onDelta?(delta: { message_id: string; content: string }): void;
  onEnd?(message: ChatMessageView): void;
}

interface Deps {
  models: StoryModels;
  llm: LlmService;
  events: EventBus;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Default history window when neither the request nor the story says (25). */
  defaultHistoryLength?: number;
  /** How long stories, casts, templates, posts and model rows are cached (default 5000 ms; 0 = off). */
  cacheTtlMs?: number;
  /**
   * How long a conversation's state and latest messages read from the database are served from
   * memory (default 10 000 ms; 0 = off). Local writes update them at once, other nodes' replies
   * through the event bus; other nodes' edits show within this time.
   */
  conversationCacheTtlMs?: number;
  random?: () => number;
  /** The bots' place bindings: a bound place's players are the conversation's participants. */
  bindings?: typeof StoryChatBindingRow;
}

interface Loaded {
  conversation: ConversationState;
  story: StoryRow;
  setting: StorySetting;
  cast: CharacterRow[];
}

/** What one reply needs; see {@link StoryChatService.startReply}. */
export interface ReplyInput {
  conversationId: string;
  characterId: string;
  historyLength?: number;
  /** A new user line that this reply answers (stored while the reply streams). */
  userMessage?: string;
  authorName?: string;
  regenerateOf?: ChatMessageRow;
  continueOf?: ChatMessageRow;
  skipSummary?: boolean;
}

export type ReplyRunner = (listener?: TurnListener, signal?: AbortSignal) => Promise<ChatMessageView>;

/** Socket.io delta events are coalesced per message, flushed on a shared tick of this many ms. */
export const DELTA_EVENT_MS = 50;

/**
 * The multi-character chat engine, shared by the HTTP API and the bots. One turn: the user's
 * message → speaker selection → each chosen character replies in turn, streamed, persisted with
 * its sequence number, each seeing the replies before it.
 */
export class StoryChatService {
  private readonly summaries = new Map<string, Promise<void>>();
  /** All streams' coalesced room deltas flush on one timer, so they leave in one Redis write. */
  private readonly deltaTick = new SharedTick(DELTA_EVENT_MS);
  /** Conversations and messages, with their memory and its cross-node invalidation. */
  private readonly conversations: ConversationStore;
  /** Stories, casts, templates, posts and models as replies read them. */
  private readonly rows: StoryRowsCache;
  /** Participants, invites and bound places: the facts of conversation-access.ts. */
  readonly membership: ConversationMembership;
  /** Deletes conversations nobody wrote to for the retention period (the worker's sweep). */
  readonly retention: ConversationRetentionService;
  /** Who answers a user's line: the rules, then a model when they leave it open. */
  readonly speakers: SpeakerChoice;

  constructor(private readonly deps: Deps) {
    this.membership = new ConversationMembership({
      models: deps.models,
      bindings: deps.bindings,
      ids: deps.ids,
      clock: deps.clock,
    });
    this.rows = new StoryRowsCache(deps.models, deps.cacheTtlMs ?? 5000);
    this.conversations = new ConversationStore({
      models: deps.models,
      events: deps.events,
      clock: deps.clock,
      logger: deps.logger,
      ttlMs: deps.cacheTtlMs === 0 ? 0 : (deps.conversationCacheTtlMs ?? 60_000),
    });
    this.speakers = new SpeakerChoice({
      models: deps.models,
      llm: deps.llm,
      logger: deps.logger,
      random: deps.random,
    });
    this.retention = new ConversationRetentionService({
      models: deps.models,
      membership: this.membership,
      conversations: this.conversations,
      clock: deps.clock,
      logger: deps.logger,
    });
  }

  // ---- conversations ------------------------------------------------------------------------

  async createConversation(
    actor: Actor,
    input: { storyId: string; messages?: Array<{ content: string; character_id: string }> },
  ): Promise<{ conversation: ConversationRow; lastMessageId: string | null }> {
    this.conversations.listenForOtherNodes();
    const story = assertCanReadStory(actor, await this.deps.models.Story.findByPk(input.storyId));
    const setting = parseSetting(story.setting);
    const cast = await this.loadCast(story);
    // Checked before anything is written: a refused opening leaves no conversation behind.
    assertOpeningsSpokenByCast(
      input.messages,
      cast.map((member) => member.id),
      'messages',
    );
    const now = this.deps.clock.now();
    const conversation = await this.deps.models.Conversation.create({
      id: this.deps.ids.snowflake(),
      story_id: story.id,
      user_id: actor.id,
      status: 'active',
      summary: null,
      summary_upto: 0,
      created_at: now,
      updated_at: now,
    });
    // The creator is the first participant (the row lists them with later joiners).
    await this.membership.add(conversation.id, actor.id, 'creator');
    const openings = input.messages?.length
      ? input.messages
      : setting.opening_messages.map((m) => ({ content: m.content, character_id: String(m.character_id) }));
    let last: ChatMessageRow | null = null;
    let sequence = 0;
    const stored: ChatMessageRow[] = [];
    for (const opening of openings) {
      const character = cast.find((member) => member.id === String(opening.character_id));
      sequence += 1;
      last = await this.deps.models.ChatMessage.create({
        id: this.deps.ids.snowflake(),
        conversation_id: conversation.id,
        sequence,
        role: 'assistant',
        character_id: character?.id ?? null,
        character_name: character?.name ?? null,
        author_user_id: null,
        author_name: null,
        content: opening.content,
        is_opening: true,
        swipes: null,
        created_at: new Date(now.getTime() + sequence),
      });
      stored.push(last);
    }
    // The first reply follows at once: it finds the conversation in memory.
    this.conversations.created(conversation, stored);
    return { conversation, lastMessageId: last?.id ?? null };
  }

  /** The latest active conversation of a story the actor created or joined, or null. */
  async findConversation(actor: Actor, storyId: string): Promise<string | null> {
    const joined = await this.membership.conversationsOf(actor.id);
    const row = await this.deps.models.Conversation.findOne({
      where: {
        story_id: storyId,
        status: 'active',
        [Op.or]: [{ user_id: actor.id }, ...(joined.length ? [{ id: { [Op.in]: joined } }] : [])],
      },
      order: [['created_at', 'DESC']],
    });
    return row?.id ?? null;
  }

  /** Participants end a conversation; so may staff (moderation). */
  async endConversation(actor: Actor, conversationId: string): Promise<void> {
    await this.access(actor, conversationId, 'end');
    await this.deps.models.Conversation.update(
      { status: 'ended', updated_at: this.deps.clock.now() },
      { where: { id: conversationId } },
    );
    this.conversations.patchState(conversationId, { status: 'ended' });
    // Other nodes hold the conversation in memory: they hear that it ended (so do its clients).
    void this.publish(conversationId, 'conversation.ended', { conversation_id: conversationId });
  }

  /** Who may see a conversation (its socket.io room): its participants and staff. */
  async canView(actor: Actor, conversationId: string): Promise<boolean> {
    try {
      await this.access(actor, conversationId, 'read');
      return true;
    } catch {
      return false;
    }
  }

  /** Applies conversation-access.ts: 404 to outsiders, 403 to staff writing. */
  private async access(actor: Actor, conversationId: string, action: ConversationAction) {
    const conversation = await this.conversations.state(conversationId);
    if (!conversation) throw new NotFoundError('Conversation');
    assertMayDo(standingOf(actor, await this.membership.facts(actor, conversation)), action);
    const story = await this.rows.story(conversation.story_id);
    if (!story) throw new NotFoundError('Story');
    return { conversation, story };
  }

  /** A one-time invite code into a conversation, made by one of its participants (24 h). */
  async invite(
    actor: Actor,
    conversationId: string,
  ): Promise<{ code: string; conversation_id: string; expires_at: string }> {
    await this.load(actor, conversationId, 'write');
    const invite = await this.membership.invite(conversationId, actor);
    return { ...invite, conversation_id: conversationId };
  }

  /** Redeems an invite code: the actor becomes a participant. Unknown, used or expired: 404. */
  async join(
    actor: Actor,
    code: string,
  ): Promise<{ conversation_id: string; story_id: string; status: string }> {
    const conversationId = await this.membership.redeem(actor, code);
    const conversation = conversationId ? await this.conversations.state(conversationId) : null;
    if (!conversation) throw new NotFoundError('Invite');
    return { conversation_id: conversation.id, story_id: conversation.story_id, status: conversation.status };
  }

  private async load(actor: Actor, conversationId: string, mode: 'read' | 'write'): Promise<Loaded> {
    const { conversation, story } = await this.access(actor, conversationId, mode);
    if (mode === 'write' && conversation.status !== 'active')
      throw new AppError('CONVERSATION_ENDED', 'This conversation has ended', { status: 409 });
    return { conversation, story, setting: this.rows.setting(story), cast: await this.loadCast(story) };
  }

  loadCast(story: StoryRow): Promise<CharacterRow[]> {
    return this.rows.cast(story);
  }

  // ---- history ------------------------------------------------------------------------------

  /**
   * A page of history, oldest first. With a cursor (time or message id) it returns the messages
   * before it, so a client scrolls back; without one, the latest page.
   */
  async history(
    actor: Actor,
    conversationId: string,
    cursor: { beforeTime?: Date; beforeId?: string; limit?: number } = {},
  ): Promise<ChatMessageView[]> {
    await this.access(actor, conversationId, 'read');
    const where: Record<string | symbol, unknown> = { conversation_id: conversationId };
    if (cursor.beforeId) {
      const anchor = await this.deps.models.ChatMessage.findOne({
        where: { id: cursor.beforeId, conversation_id: conversationId },
      });
      if (!anchor) throw new NotFoundError('Message');
      where.sequence = { [Op.lt]: anchor.sequence };
    } else if (cursor.beforeTime) {
      where.created_at = { [Op.lt]: cursor.beforeTime };
    }
    const read = async () => {
      // Plain rows (messageView only reads them): no model instance per message on a page members poll.
      const rows = (await this.deps.models.ChatMessage.findAll({
        where,
        order: [['sequence', 'DESC']],
        limit: Math.min(cursor.limit ?? 50, 200),
        raw: true,
      })) as unknown as ChatMessageRow[];
      return rows.reverse().map(messageView);
    };
    // The latest page (what clients reload) comes from memory until the conversation changes;
    // the access check above runs for every request.
    const latest = !cursor.beforeId && !cursor.beforeTime && cursor.limit === undefined;
    if (!latest) return read();
    return this.conversations.latestPage(conversationId, read);
  }

  private toLine(row: WindowMessage): HistoryLine {
    return {
      role: row.role === 'user' ? 'user' : 'assistant',
      speaker: (row.role === 'user' ? row.author_name : row.character_name) ?? 'User',
      characterId: row.character_id,
      content: row.content,
    };
  }

  async addUserMessage(
    actor: Actor,
    conversationId: string,
    content: string,
    authorName?: string,
  ): Promise<ChatMessageView> {
    await this.load(actor, conversationId, 'write');
    if (!content.trim()) throw new ValidationError('Message is empty');
    const row = await this.conversations.append(conversationId, {
      id: this.deps.ids.snowflake(),
      role: 'user',
      character_id: null,
      character_name: null,
      author_user_id: actor.id,
      author_name: authorName ?? actor.displayName ?? actor.username ?? 'User',
      content,
      is_opening: false,
      swipes: null,
    });
    return messageView(row);
  }

  async editMessage(actor: Actor, messageId: string, content: string): Promise<ChatMessageView> {
    const row = await this.deps.models.ChatMessage.findByPk(messageId);
    if (!row) throw new NotFoundError('Message');
    const conversation = await this.conversations.state(row.conversation_id);
    const standing = conversation
      ? standingOf(actor, await this.membership.facts(actor, conversation))
      : 'none';
    // Outsiders learn nothing about the message either.
    if (!conversation || standing === 'none') throw new NotFoundError('Message');
    assertMayDo(standing, 'write');
    if (!mayEditMessage(actor, row, conversation.user_id))
      throw new ForbiddenError('You cannot edit this message');
    await row.update({ content });
    this.conversations.replaced(row.conversation_id, row);
    const view = messageView(row);
    // Other nodes' memory of the conversation (and its clients) learn of the edit.
    void this.publish(row.conversation_id, 'message.edited', {
      conversation_id: row.conversation_id,
      message: view,
    });
    return view;
  }

  /**
   * Brings back an earlier version of a character's reply (a swipe): `swipes[index]` becomes the
   * content the story goes on from, and the version shown until now takes its place among the
   * swipes, so no version is ever lost. Whoever may regenerate the reply may choose among them.
   */
  async selectSwipe(actor: Actor, messageId: string, index: number): Promise<ChatMessageView> {
    const row = await this.deps.models.ChatMessage.findByPk(messageId);
    if (!row) throw new NotFoundError('Message');
    const conversation = await this.conversations.state(row.conversation_id);
    const standing = conversation
      ? standingOf(actor, await this.membership.facts(actor, conversation))
      : 'none';
    if (!conversation || standing === 'none') throw new NotFoundError('Message');
    assertMayDo(standing, 'write');
    if (conversation.status !== 'active')
      throw new AppError('CONVERSATION_ENDED', 'This conversation has ended', { status: 409 });
    const swipes = row.swipes ? (JSON.parse(row.swipes) as string[]) : [];
    if (row.role !== 'assistant' || !Number.isInteger(index) || index < 0 || index >= swipes.length)
      throw new AppError('SWIPE_NOT_FOUND', 'This reply has no such earlier version', { status: 404 });
    const chosen = swipes[index];
    swipes[index] = row.content;
    await row.update({ content: chosen, swipes: JSON.stringify(swipes) });
    this.conversations.replaced(row.conversation_id, row);
    const view = messageView(row);
    void this.publish(row.conversation_id, 'message.edited', {
      conversation_id: row.conversation_id,
      message: view,
    });
    return view;
  }

  // ---- speakers ----------------------------------------------------------------------------

  /** Contract `select-speakers` (see SpeakerChoice.selectSpeakersByNames). */
  selectSpeakersByNames(input: {
    characterNames: string[];
    userMessage: string;
    history: ContractHistoryMessage[];
    historyLength?: number;
  }): Promise<string[]> {
    return this.speakers.selectSpeakersByNames(input);
  }

  /** Contract `generate-response` without a conversation: the caller supplies the history. */
  async generateStateless(
    actor: Actor,
    input: {
      characterId: string;
      userMessage?: string;
      history: ContractHistoryMessage[];
      historyLength?: number;
      signal?: AbortSignal;
      listener?: TurnListener;
    },
  ): Promise<string> {
    const reply = await this.startStateless(actor, input);
    return reply.run(input.listener, input.signal);
  }

  /**
   * Checks and reads a stateless reply up front (so a refusal is still an HTTP status), and
   * returns `run`, which streams it.
   */
  async startStateless(
    actor: Actor,
    input: {
      characterId: string;
      userMessage?: string;
      history: ContractHistoryMessage[];
      historyLength?: number;
    },
  ): Promise<{ run: (listener?: TurnListener, signal?: AbortSignal) => Promise<string> }> {
    // Speaking as a character sends its whole persona to the model: own or public ones only.
    const character = assertCanUseCharacter(
      actor,
      await this.deps.models.Character.findByPk(input.characterId),
    );
    const castMember = this.speakers.castMembers([character]);
    const history = contractHistory(input.history.slice(-(input.historyLength ?? 25)), castMember);
    if (input.userMessage)
      history.push({ role: 'user', speaker: 'User', characterId: null, content: input.userMessage });
    const posts = await this.rows.systemPosts();
    const messages = buildCharacterPrompt({
      character: { ...character.get(), isNarrator: character.character_type === 'narrator' },
      castNames: [
        character.name,
        ...new Set(input.history.map((m) => m.character_name).filter((n): n is string => !!n)),
      ],
      systemPosts: posts.map((post) => post.content),
      language: character.language,
      history,
    });
    const model = await this.modelFor(character, parseSetting('{}'));
    const run = async (listener?: TurnListener, signal?: AbortSignal) => {
      const messageId = this.deps.ids.snowflake();
      listener?.onStart?.({
        message_id: messageId,
        character_id: character.id,
        character_name: character.name,
      });
      let content = '';
      for await (const delta of this.deps.llm.stream(model, messages, { signal })) {
        content += delta;
        listener?.onDelta?.({ message_id: messageId, content: delta });
      }
      return content;
    };
    return { run };
  }

  /** Checks up front what `generateReply` would refuse, so a transport can answer with a status. */
  async prepareReply(actor: Actor, conversationId: string, characterId?: string): Promise<void> {
    const loaded = await this.load(actor, conversationId, 'write');
    if (characterId !== undefined && !loaded.cast.some((row) => row.id === characterId))
      throw new ValidationError('The character is not in this story');
  }

  // ---- turns --------------------------------------------------------------------------------

  /**
   * A whole turn: stores the user's message, chooses speakers (or takes `speakers`), and lets each
   * answer in turn. Events go to the listener and to the socket.io room `conversation:<id>`.
   */
  async playTurn(
    actor: Actor,
    input: {
      conversationId: string;
      content: string;
      authorName?: string;
      speakerIds?: string[];
      signal?: AbortSignal;
      listener?: TurnListener;
    },
  ): Promise<{ user: ChatMessageView; replies: ChatMessageView[] }> {
    const loaded = await this.load(actor, input.conversationId, 'write');
    const user = await this.addUserMessage(actor, input.conversationId, input.content, input.authorName);
    const members = this.speakers.castMembers(loaded.cast);
    let speakers: CastMember[];
    if (input.speakerIds?.length) {
      speakers = input.speakerIds
        .map((id) => members.find((member) => member.id === id))
        .filter((member): member is CastMember => !!member);
    } else {
      const historyLength = this.historyLength(loaded.setting);
      const history = (await this.conversations.window(input.conversationId, historyLength)).map((row) =>
        this.toLine(row),
      );
      const chosen = await this.speakers.chooseSpeakers(members, history.slice(0, -1), input.content, {
        strategy: loaded.setting.config.speaker_strategy,
        allowSelfResponses: loaded.setting.config.allow_self_responses,
        pickerModel: await this.speakers.pickerModel(loaded.setting),
      });
      speakers = chosen.speakers;
    }
    const named = speakers.map((member) => ({ id: member.id, name: member.name }));
    input.listener?.onSpeakers?.(named);
    void this.publish(input.conversationId, 'speaker.chosen', {
      conversation_id: input.conversationId,
      speakers: named,
    });
    const replies: ChatMessageView[] = [];
    for (const speaker of speakers) {
      if (input.signal?.aborted) break;
      replies.push(
        await this.generateReply(actor, {
          conversationId: input.conversationId,
          characterId: speaker.id,
          signal: input.signal,
          listener: input.listener,
          skipSummary: true,
        }),
      );
    }
    await this.summarize(loaded);
    return { user, replies };
  }

  private historyLength(setting: StorySetting, requested?: number): number {
    return requested ?? setting.config.history_length ?? this.deps.defaultHistoryLength ?? 25;
  }

  private async modelFor(character: CharacterRow, setting: StorySetting): Promise<AiModelRow> {
    for (const llmId of [character.llm_id, setting.config.model]) {
      if (!llmId) continue;
      const row = await this.rows.model(llmId);
      if (row) return row;
    }
    const any = await this.rows.anyChatModel();
    if (!any) throw new AppError('no_model', 'No active chat model is configured', { status: 503 });
    return any;
  }

  /**
   * One character's reply, streamed and persisted. `regenerateOf` replaces that message's content
   * (keeping the old one in `swipes`); `continueOf` appends to it.
   */
  async generateReply(
    actor: Actor,
    input: ReplyInput & { signal?: AbortSignal; listener?: TurnListener },
  ): Promise<ChatMessageView> {
    const reply = await this.startReply(actor, input);
    return reply.run(input.listener, input.signal);
  }

  /**
   * Does every check and read of a reply up front (so a transport can still answer with an HTTP
   * status), and returns `run`, which streams it. With `userMessage`, the user's line joins the
   * prompt at once and is stored while the model is already answering: no database write sits
   * between the request and the first token.
   */
  async startReply(actor: Actor, input: ReplyInput): Promise<{ run: ReplyRunner }> {
    const id = input.conversationId;
    // A conversation this node does not hold yet: its history read does not depend on the access
    // check, so both go to the database at once. A held one costs no I/O before the upstream call.
    const held = this.conversations.holds(id);
    const historyWindow = (input.historyLength ?? 200) + 1;
    const version = this.conversations.version(id);
    const recentRead = held ? null : this.conversations.recent(id, historyWindow);
    recentRead?.catch(() => undefined);
    const loaded = await this.load(actor, input.conversationId, 'write');
    const character = loaded.cast.find((row) => row.id === input.characterId);
    if (!character) throw new ValidationError('The character is not in this story');
    const userMessage = input.userMessage?.trim() ? input.userMessage : undefined;
    const historyLength = this.historyLength(loaded.setting, input.historyLength);
    const target = input.regenerateOf ?? input.continueOf;
    const [recentRows, template, posts, model] = await Promise.all([
      recentRead && historyWindow >= historyLength + 1
        ? recentRead.then((rows) => {
            this.conversations.rememberWindow(id, rows, historyWindow, version);
            return rows;
          })
        : this.conversations.window(id, historyLength + 1),
      loaded.story.template_id ? this.rows.template(loaded.story.template_id) : null,
      this.rows.systemPosts(),
      this.modelFor(character, loaded.setting),
    ]);
    const recent = recentRows.slice(-(historyLength + 1));
    const window = target ? recent.filter((row) => row.sequence < target.sequence) : recent;
    const lines = window.map((row) => this.toLine(row));
    const authorName = input.authorName ?? actor.displayName ?? actor.username ?? 'User';
    if (userMessage)
      lines.push({ role: 'user', speaker: authorName, characterId: null, content: userMessage });
    const messages = buildCharacterPrompt({
      character: {
        id: character.id,
        name: character.name,
        description: character.description,
        personality: character.personality,
        background: character.background,
        isNarrator: character.character_type === 'narrator',
      },
      castNames: loaded.cast.map((row) => row.name),
      storyTitle: loaded.story.title,
      storyBackground: loaded.setting.background,
      characterBackground: loaded.setting.character_background,
      templateContent: loaded.story.template_content,
      hiddenPrompt: template?.hidden_prompt,
      systemPosts: posts.map((post) => post.content),
      language: loaded.story.language ?? character.language,
      summary: loaded.conversation.summary,
      history: lines.slice(-historyLength),
      continuation: input.continueOf?.content,
    });

    const run: ReplyRunner = async (listener, signal) => {
      // The user's line and the reply are stored together once the reply is complete: one write
      // per reply, none before the first token. If the model fails, the user's line is still kept.
      const userRow: NewMessage | null = userMessage
        ? {
            id: this.deps.ids.snowflake(),
            role: 'user',
            character_id: null,
            character_name: null,
            author_user_id: actor.id,
            author_name: authorName,
            content: userMessage,
            is_opening: false,
            swipes: null,
          }
        : null;
      const messageId = target?.id ?? this.deps.ids.snowflake();
      const start = { message_id: messageId, character_id: character.id, character_name: character.name };
      // The upstream request goes out first; the start event is written while it travels.
      const deltas = this.deps.llm.stream(model, messages, { signal })[Symbol.asyncIterator]();
      const firstDelta = deltas.next();
      firstDelta.catch(() => undefined);
      listener?.onStart?.(start);
      // The room hears of the reply with its first delta (or its end): no Redis write sits between
      // a burst's requests and their upstream calls, and a request refused late (the rate limit's
      // verdict arrives after the upstream call left) leaves no event behind.
      let startPublished = false;
      const publishStart = () => {
        if (startPublished) return;
        startPublished = true;
        void this.publish(input.conversationId, 'message.start', {
          conversation_id: input.conversationId,
          ...start,
        });
      };
      let content = '';
      // Room events carry deltas coalesced per DELTA_EVENT_MS (the first at once): a busy server
      // then spends its time on first tokens, not on one Redis round trip per token.
      let unpublished = '';
      let firstFlush: NodeJS.Immediate | null = null;
      const flush = () => {
        this.deltaTick.cancel(flush);
        if (firstFlush) clearImmediate(firstFlush);
        firstFlush = null;
        if (!unpublished) return;
        publishStart();
        void this.publish(input.conversationId, 'message.delta', {
          conversation_id: input.conversationId,
          message_id: messageId,
          content: unpublished,
        });
        unpublished = '';
      };
      try {
        for (let next = await firstDelta; !next.done; next = await deltas.next()) {
          const delta = next.value;
          const first = !content;
          content += delta;
          listener?.onDelta?.({ message_id: messageId, content: delta });
          unpublished += delta;
          // The first room event waits only for this turn of the event loop, so that the other
          // conversations' first tokens that arrived with it are relayed before any Redis write.
          if (first) firstFlush = setImmediate(flush);
          else this.deltaTick.schedule(flush);
        }
      } catch (error) {
        // Cancelled with an AppError as the reason: the request was refused, it leaves no trace.
        const refused = signal?.aborted === true && isAppError(signal.reason);
        if (!refused) publishStart();
        if (userRow && !refused)
          await this.conversations.append(input.conversationId, userRow).catch(() => undefined);
        throw error;
      } finally {
        flush();
      }
      publishStart();
      let row: ChatMessageRow;
      if (input.regenerateOf) {
        const swipes = input.regenerateOf.swipes ? (JSON.parse(input.regenerateOf.swipes) as string[]) : [];
        swipes.push(input.regenerateOf.content);
        row = await input.regenerateOf.update({ content, swipes: JSON.stringify(swipes) });
        this.conversations.replaced(input.conversationId, row);
      } else if (input.continueOf) {
        const joined = /\s$/.test(input.continueOf.content) || /^\s/.test(content) ? '' : ' ';
        row = await input.continueOf.update({ content: `${input.continueOf.content}${joined}${content}` });
        this.conversations.replaced(input.conversationId, row);
      } else {
        const rows = await this.conversations.appendMany(input.conversationId, [
          ...(userRow ? [userRow] : []),
          {
            id: messageId,
            role: 'assistant',
            character_id: character.id,
            character_name: character.name,
            author_user_id: null,
            author_name: null,
            content,
            is_opening: false,
            swipes: null,
          },
        ]);
        row = rows[rows.length - 1];
      }
      const view = messageView(row);
      listener?.onEnd?.(view);
      void this.publish(input.conversationId, 'message.end', {
        conversation_id: input.conversationId,
        message: view,
      });
      if (!input.skipSummary) await this.summarize(loaded, row.sequence);
      return view;
    };
    return { run };
  }

  private async lastReply(actor: Actor, conversationId: string): Promise<ChatMessageRow> {
    // Checked before the last message is read: outsiders learn nothing from the answer.
    await this.access(actor, conversationId, 'write');
    const last = await this.deps.models.ChatMessage.findOne({
      where: { conversation_id: conversationId },
      order: [['sequence', 'DESC']],
    });
    if (!last || last.role !== 'assistant' || !last.character_id)
      throw new AppError('NOTHING_TO_REGENERATE', 'The last message is not a character reply', {
        status: 409,
      });
    return last;
  }

  /** Swipe: a new version of the last reply; the earlier versions stay in `swipes`. */
  async regenerate(
    actor: Actor,
    input: { conversationId: string; signal?: AbortSignal; listener?: TurnListener },
  ): Promise<ChatMessageView> {
    const last = await this.lastReply(actor, input.conversationId);
    return this.generateReply(actor, { ...input, characterId: last.character_id!, regenerateOf: last });
  }

  /** Continue: the last reply goes on from where it stopped. */
  async continueReply(
    actor: Actor,
    input: { conversationId: string; signal?: AbortSignal; listener?: TurnListener },
  ): Promise<ChatMessageView> {
    const last = await this.lastReply(actor, input.conversationId);
    return this.generateReply(actor, { ...input, characterId: last.character_id!, continueOf: last });
  }

  // ---- summary ------------------------------------------------------------------------------

  /** Waits for a running summary of a conversation (tests, shutdown). */
  async settled(conversationId: string): Promise<void> {
    await this.summaries.get(conversationId);
  }

  /**
   * Folds messages that fell out of the history window into the running summary
   * (`summary_length` words). Failures keep the old summary; the next turn tries again.
   */
  private async summarize(loaded: Loaded, lastSequence?: number): Promise<void> {
    const id = loaded.conversation.id;
    // Nothing has left the window yet: no need to ask the database.
    if (
      lastSequence !== undefined &&
      lastSequence - this.historyLength(loaded.setting) <= loaded.conversation.summary_upto &&
      !this.summaries.has(id)
    )
      return;
    const previous = this.summaries.get(id) ?? Promise.resolve();
    const run = previous.then(async () => {
      const historyLength = this.historyLength(loaded.setting);
      const conversation = await this.deps.models.Conversation.findByPk(id);
      if (!conversation) return;
      const max =
        ((await this.deps.models.ChatMessage.max('sequence', {
          where: { conversation_id: id },
        })) as number) ?? 0;
      const windowStart = max - historyLength + 1;
      if (windowStart - 1 <= conversation.summary_upto) return;
      const dropped = await this.deps.models.ChatMessage.findAll({
        where: {
          conversation_id: id,
          sequence: { [Op.gt]: conversation.summary_upto, [Op.lt]: windowStart },
        },
        order: [['sequence', 'ASC']],
      });
      if (!dropped.length) return;
      try {
        const model = await this.speakers.pickerModel(loaded.setting);
        if (!model) return;
        const { result } = await this.deps.llm.complete(
          model,
          buildSummaryPrompt(
            conversation.summary,
            dropped.map((row) => this.toLine(row)),
            loaded.setting.config.summary_length ?? 200,
          ),
        );
        await conversation.update({ summary: result.content.trim(), summary_upto: windowStart - 1 });
        this.conversations.patchState(id, {
          summary: conversation.summary,
          summary_upto: conversation.summary_upto,
        });
      } catch (error) {
        this.deps.logger.warn({ err: (error as Error).message, conversationId: id }, 'summary failed');
      }
    });
    const tracked = run.finally(() => {
      if (this.summaries.get(id) === tracked) this.summaries.delete(id);
    });
    this.summaries.set(id, tracked);
    await tracked;
  }

  /** Deletes conversations (and their messages) untouched for `days` days; returns how many. */
  cleanup(days = 30): Promise<number> {
    return this.retention.cleanup(days);
  }

  private async publish(conversationId: string, name: string, payload: unknown): Promise<void> {
    try {
      await this.deps.events.publish({ room: roomOf(conversationId), name, payload });
    } catch (error) {
      this.deps.logger.warn({ err: (error as Error).message }, 'chat event publish failed');
    }
  }
}

export { SPEAKER_STRATEGIES };

export { contractHistory, type ContractHistoryMessage } from './contract-history.js';
