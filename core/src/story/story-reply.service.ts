import { AppError, ValidationError, isAppError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { LlmService } from './llm/llm.service.js';
import type { IdGenerator } from '../shared/ids.js';
import { SharedTick } from '../shared/shared-tick.js';
import { assertCanUseCharacter } from './access/character-access.js';
import { messageView, type ChatMessageView } from './chat-message.view.js';
import { contractHistory, type ContractHistoryMessage } from './contract-history.js';
import type { ConversationGate } from './conversation-gate.js';
import { historyLine, type ConversationSummaries } from './conversation-summaries.js';
import type { ChatMessageRecord, ConversationRepository, NewMessage } from './conversation.repository.js';
import type { ConversationService } from './conversation.service.js';
import type { ConversationStore } from './conversation.store.js';
import { buildCharacterPrompt, type PersonaInput } from './prompt-builder.js';
import type { SpeakerChoice } from './speaker-choice.js';
import type { CastMember } from './speaker-selector.js';
import { parseSetting, type StorySetting } from './story-setting.js';
import type { AiModelRecord } from './llm/ai-model.repository.js';
import type { CharacterRecord } from './catalog/character.repository.js';
import type { StoryRowsCache } from './story-rows.cache.js';

/** Everything a transport needs to stream a turn; all optional. */
export interface TurnListener {
  onSpeakers?(speakers: Array<{ id: string; name: string }>): void;
  onStart?(start: { message_id: string; character_id: string; character_name: string }): void;
  onDelta?(delta: { message_id: string; content: string }): void;
  onEnd?(message: ChatMessageView): void;
}

/** What one reply needs; see {@link StoryReplyService.startReply}. */
export interface ReplyInput {
  conversationId: string;
  characterId: string;
  historyLength?: number;
  /** A new user line that this reply answers (stored while the reply streams). */
  userMessage?: string;
  authorName?: string;
  regenerateOf?: ChatMessageRecord;
  continueOf?: ChatMessageRecord;
  skipSummary?: boolean;
}

export type ReplyRunner = (listener?: TurnListener, signal?: AbortSignal) => Promise<ChatMessageView>;

/** Socket.io delta events are coalesced per message, flushed on a shared tick of this many ms. */
export const DELTA_EVENT_MS = 50;

interface Deps {
  repository: ConversationRepository;
  conversations: ConversationStore;
  gate: ConversationGate;
  rows: StoryRowsCache;
  speakers: SpeakerChoice;
  summaries: ConversationSummaries;
  /** A turn stores the user's line first (through the conversation's own use case). */
  lines: Pick<ConversationService, 'addUserMessage'>;
  llm: LlmService;
  ids: IdGenerator;
  /** Default history window when neither the request nor the story says (25). */
  defaultHistoryLength?: number;
}

/** A `generate-response` without a conversation: the caller supplies the history. */
export interface StatelessReplyInput {
  characterId: string;
  userMessage?: string;
  history: ContractHistoryMessage[];
  historyLength?: number;
}

/** What a character's prompt is written from: its persona, and whether it narrates. */
function personaOf(character: CharacterRecord): PersonaInput & { id: string } {
  return {
    id: character.id,
    name: character.name,
    description: character.description,
    personality: character.personality,
    background: character.background,
    isNarrator: character.character_type === 'narrator',
  };
}

/**
 * Characters' replies: one turn (the user's message → speaker choice → each chosen character
 * answers in turn, each seeing the replies before it), one reply streamed to a listener and the
 * conversation's socket.io room and then stored, regenerate (a swipe) and continue, and the
 * contract's stateless `generate-response`. The running summary is ConversationSummaries'.
 */
export class StoryReplyService {
  /** All streams' coalesced room deltas flush on one timer, so they leave in one Redis write. */
  private readonly deltaTick = new SharedTick(DELTA_EVENT_MS);

  constructor(private readonly deps: Deps) {}

  /** Contract `generate-response` without a conversation: the caller supplies the history. */
  async generateStateless(
    actor: Actor,
    input: StatelessReplyInput & { signal?: AbortSignal; listener?: TurnListener },
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
    input: StatelessReplyInput,
  ): Promise<{ run: (listener?: TurnListener, signal?: AbortSignal) => Promise<string> }> {
    // Speaking as a character sends its whole persona to the model: own or public ones only.
    const character = assertCanUseCharacter(actor, await this.deps.rows.freshCharacter(input.characterId));
    const castMember = this.deps.speakers.castMembers([character]);
    const history = contractHistory(input.history.slice(-(input.historyLength ?? 25)), castMember);
    if (input.userMessage)
      history.push({ role: 'user', speaker: 'User', characterId: null, content: input.userMessage });
    const posts = await this.deps.rows.systemPosts();
    const messages = buildCharacterPrompt({
      character: personaOf(character),
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
    const loaded = await this.deps.gate.load(actor, conversationId, 'write');
    if (characterId !== undefined && !loaded.cast.some((row) => row.id === characterId))
      throw new ValidationError('The character is not in this story');
  }

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
    const loaded = await this.deps.gate.load(actor, input.conversationId, 'write');
    const user = await this.deps.lines.addUserMessage(
      actor,
      input.conversationId,
      input.content,
      input.authorName,
    );
    const members = this.deps.speakers.castMembers(loaded.cast);
    let speakers: CastMember[];
    if (input.speakerIds?.length) {
      speakers = input.speakerIds
        .map((id) => members.find((member) => member.id === id))
        .filter((member): member is CastMember => !!member);
    } else {
      const historyLength = this.historyLength(loaded.setting);
      const history = (await this.deps.conversations.window(input.conversationId, historyLength)).map(
        historyLine,
      );
      const chosen = await this.deps.speakers.chooseSpeakers(members, history.slice(0, -1), input.content, {
        strategy: loaded.setting.config.speaker_strategy,
        allowSelfResponses: loaded.setting.config.allow_self_responses,
        pickerModel: await this.deps.speakers.pickerModel(loaded.setting),
      });
      speakers = chosen.speakers;
    }
    const named = speakers.map((member) => ({ id: member.id, name: member.name }));
    input.listener?.onSpeakers?.(named);
    void this.deps.conversations.publish(input.conversationId, 'speaker.chosen', {
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
    await this.deps.summaries.summarize(loaded);
    return { user, replies };
  }

  /** The history window: the request's, else the story's, else the default. */
  historyLength(setting: StorySetting, requested?: number): number {
    return requested ?? setting.config.history_length ?? this.deps.defaultHistoryLength ?? 25;
  }

  private async modelFor(character: CharacterRecord, setting: StorySetting): Promise<AiModelRecord> {
    for (const llmId of [character.llm_id, setting.config.model]) {
      if (!llmId) continue;
      const row = await this.deps.rows.model(llmId);
      if (row) return row;
    }
    const any = await this.deps.rows.anyChatModel();
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
    const { conversations, rows } = this.deps;
    const id = input.conversationId;
    // A conversation this node does not hold yet: its history read does not depend on the access
    // check, so both go to the database at once. A held one costs no I/O before the upstream call.
    const held = conversations.holds(id);
    const historyWindow = (input.historyLength ?? 200) + 1;
    const version = conversations.version(id);
    const recentRead = held ? null : conversations.recent(id, historyWindow);
    recentRead?.catch(() => undefined);
    const loaded = await this.deps.gate.load(actor, input.conversationId, 'write');
    const character = loaded.cast.find((row) => row.id === input.characterId);
    if (!character) throw new ValidationError('The character is not in this story');
    const userMessage = input.userMessage?.trim() ? input.userMessage : undefined;
    const historyLength = this.historyLength(loaded.setting, input.historyLength);
    const target = input.regenerateOf ?? input.continueOf;
    const [recentRows, template, posts, model] = await Promise.all([
      recentRead && historyWindow >= historyLength + 1
        ? recentRead.then((read) => {
            conversations.rememberWindow(id, read, historyWindow, version);
            return read;
          })
        : conversations.window(id, historyLength + 1),
      loaded.story.template_id ? rows.template(loaded.story.template_id) : null,
      rows.systemPosts(),
      this.modelFor(character, loaded.setting),
    ]);
    const recent = recentRows.slice(-(historyLength + 1));
    const window = target ? recent.filter((row) => row.sequence < target.sequence) : recent;
    const lines = window.map(historyLine);
    const authorName = input.authorName ?? actor.displayName ?? actor.username ?? 'User';
    if (userMessage)
      lines.push({ role: 'user', speaker: authorName, characterId: null, content: userMessage });
    const messages = buildCharacterPrompt({
      character: personaOf(character),
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
        void conversations.publish(input.conversationId, 'message.start', {
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
        void conversations.publish(input.conversationId, 'message.delta', {
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
          await conversations.append(input.conversationId, userRow).catch(() => undefined);
        throw error;
      } finally {
        flush();
      }
      publishStart();
      const row = await this.store(
        input,
        content,
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
        userRow,
      );
      const view = messageView(row);
      listener?.onEnd?.(view);
      void conversations.publish(input.conversationId, 'message.end', {
        conversation_id: input.conversationId,
        message: view,
      });
      if (!input.skipSummary) await this.deps.summaries.summarize(loaded, row.sequence);
      return view;
    };
    return { run };
  }

  /**
   * Writes a finished reply back: a regenerated one replaces its message's content (the old one
   * joins `swipes`), a continued one is appended to it, a new one is stored after the user's line.
   */
  private async store(
    input: ReplyInput,
    content: string,
    reply: NewMessage,
    userRow: NewMessage | null,
  ): Promise<ChatMessageRecord> {
    const { conversations, repository } = this.deps;
    if (input.regenerateOf) {
      const swipes = input.regenerateOf.swipes ? (JSON.parse(input.regenerateOf.swipes) as string[]) : [];
      swipes.push(input.regenerateOf.content);
      const row = await repository.updateMessage(input.regenerateOf, {
        content,
        swipes: JSON.stringify(swipes),
      });
      conversations.replaced(input.conversationId, row);
      return row;
    }
    if (input.continueOf) {
      const joined = /\s$/.test(input.continueOf.content) || /^\s/.test(content) ? '' : ' ';
      const row = await repository.updateMessage(input.continueOf, {
        content: `${input.continueOf.content}${joined}${content}`,
      });
      conversations.replaced(input.conversationId, row);
      return row;
    }
    const rows = await conversations.appendMany(input.conversationId, [...(userRow ? [userRow] : []), reply]);
    return rows[rows.length - 1];
  }

  /** The last message, when it is a character's reply the actor may redo. */
  private async lastReply(actor: Actor, conversationId: string): Promise<ChatMessageRecord> {
    // Checked before the last message is read: outsiders learn nothing from the answer.
    await this.deps.gate.access(actor, conversationId, 'write');
    const last = await this.deps.repository.lastMessage(conversationId);
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

  /** Waits for a running summary of a conversation (tests, shutdown). */
  settled(conversationId: string): Promise<void> {
    return this.deps.summaries.settled(conversationId);
  }
}
