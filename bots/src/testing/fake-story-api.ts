import { DreamloomApiError, type PlatformUser } from '../shared/dreamloom-client.js';
import type {
  StoryApi,
  StoryBinding,
  StoryMessage,
  StoryStreamListener,
  StorySummary,
} from '../shared/story-client.js';

export interface FakeStoryReply {
  id: string;
  name: string;
  text: string;
}

export interface FakeStoryApiOptions {
  stories: StorySummary[];
  /** What every turn (and regenerate) streams, word by word. */
  replies?: FakeStoryReply[];
  /** Opening messages of a new conversation (default one line by the first character). */
  openings?: StoryMessage[];
  /** Delay between streamed words (default 5 ms). */
  wordDelayMs?: number;
}

/** What the fake keeps of a conversation's messages (the server keeps every reply and its swipes). */
interface FakeMessage extends StoryMessage {
  conversationId: string;
}

/**
 * An in-memory story server for the bots' unit tests, with the real server's binding rules:
 * one active story per platform place (409 otherwise), ending closes the conversation, turns in an
 * ended conversation are refused with 409, a bound conversation is played only by its starter
 * or by members acting in its place (`PlatformUser.channel`; 404 otherwise, as the server answers
 * non-participants) and ended only by its starter or staff (403), and a regenerated reply keeps
 * its id and its earlier versions (swipes). Several handlers (bot processes) may share one.
 */
export class FakeStoryApi implements StoryApi {
  /** Every turn's content, in order, with the conversation it went to. */
  readonly turns: Array<{ conversationId: string; content: string }> = [];
  /** Calls per method, to check what a handler asked the "server". */
  readonly calls = new Map<string, number>();
  private readonly bindings = new Map<string, StoryBinding>();
  private readonly ended = new Set<string>();
  /** Bound conversations: their place (`platform:channel`) and who started them. */
  private readonly places = new Map<string, { place: string; starter: string }>();
  /** Every message, in order; replies have server-wide unique ids as on the server. */
  readonly messages: FakeMessage[] = [];
  private conversations = 0;
  private messageIds = 0;

  constructor(private readonly options: FakeStoryApiOptions) {}

  private count(method: string) {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private story(id: string): StorySummary {
    const story = this.options.stories.find((candidate) => candidate.id === id);
    if (!story) throw new DreamloomApiError('HTTP_404', 'Story not found', 404);
    return story;
  }

  /** Streams one reply word by word, then stores it: a new message, or a regenerated one's new version. */
  private async streamReply(
    conversationId: string,
    listener: StoryStreamListener,
    reply: FakeStoryReply,
    regenerated?: FakeMessage,
  ) {
    const messageId = regenerated?.id ?? `m${++this.messageIds}`;
    await listener.onStart?.({ messageId, characterId: reply.id, characterName: reply.name });
    for (const word of reply.text.split(/(?<= )/)) {
      listener.onDelta?.({ messageId, content: word });
      await new Promise((resolve) => setTimeout(resolve, this.options.wordDelayMs ?? 5));
    }
    let stored: FakeMessage;
    if (regenerated) {
      regenerated.swipes = [...regenerated.swipes, regenerated.content];
      regenerated.content = reply.text;
      stored = regenerated;
    } else {
      stored = {
        id: messageId,
        conversationId,
        content: reply.text,
        characterId: reply.id,
        characterName: reply.name,
        role: 'assistant',
        swipes: [],
      };
      this.messages.push(stored);
    }
    const { conversationId: _conversation, ...message } = stored;
    await listener.onEnd?.({ ...message, swipes: [...message.swipes] });
  }

  private async stream(conversationId: string, listener: StoryStreamListener) {
    for (const reply of this.options.replies ?? []) await this.streamReply(conversationId, listener, reply);
  }

  private writable(user: PlatformUser, conversationId: string) {
    const bound = this.places.get(conversationId);
    const inPlace = `${user.platform}:${user.channel ?? ''}` === bound?.place;
    if (bound && !inPlace && bound.starter !== `${user.platform}:${user.id}`)
      throw new DreamloomApiError('HTTP_404', 'Conversation not found', 404);
    if (this.ended.has(conversationId))
      throw new DreamloomApiError('HTTP_409', 'This conversation has ended', 409);
  }

  async listStories() {
    this.count('listStories');
    return this.options.stories;
  }

  async startConversation(_user: PlatformUser, storyId: string) {
    this.count('startConversation');
    const story = this.story(storyId);
    this.conversations += 1;
    const conversationId = `c${this.conversations}`;
    return { conversationId, openings: this.openings(story, conversationId) };
  }

  private openings(story: StorySummary, conversationId: string): StoryMessage[] {
    const first = story.characters[0];
    const openings = this.options.openings ?? [
      {
        id: `o${conversationId}`,
        content: 'Welcome.',
        characterId: first.id,
        characterName: first.name,
        role: 'assistant' as const,
        swipes: [],
      },
    ];
    this.messages.push(...openings.map((m) => ({ ...m, conversationId })));
    return openings;
  }

  async playTurn(
    user: PlatformUser,
    input: { conversationId: string; content: string },
    listener: StoryStreamListener,
  ) {
    this.count('playTurn');
    this.writable(user, input.conversationId);
    this.turns.push({ conversationId: input.conversationId, content: input.content });
    this.messages.push({
      id: `m${++this.messageIds}`,
      conversationId: input.conversationId,
      content: input.content,
      characterId: null,
      characterName: null,
      role: 'user',
      swipes: [],
    });
    await this.stream(input.conversationId, listener);
  }

  /**
   * As the server: the last reply is written again in the same message (the previous text joins
   * its swipes); each regeneration's text is the next of `regenerations`, else the reply's again.
   */
  async regenerate(user: PlatformUser, conversationId: string, listener: StoryStreamListener) {
    this.count('regenerate');
    this.writable(user, conversationId);
    const last = this.messages.filter((m) => m.conversationId === conversationId).at(-1);
    if (!last || last.role !== 'assistant')
      throw new DreamloomApiError('HTTP_409', 'The last message is not a character reply', 409);
    const text = this.regenerations.shift() ?? last.content;
    await this.streamReply(
      conversationId,
      listener,
      { id: last.characterId ?? '', name: last.characterName ?? '', text },
      last,
    );
  }

  /** Texts the next regenerations write, in order (tests set them to tell versions apart). */
  readonly regenerations: string[] = [];

  async selectSwipe(user: PlatformUser, messageId: string, index: number) {
    this.count('selectSwipe');
    const message = this.messages.find((m) => m.id === messageId);
    if (!message) throw new DreamloomApiError('HTTP_404', 'Message not found', 404);
    this.writable(user, message.conversationId);
    if (message.role !== 'assistant' || index < 0 || index >= message.swipes.length)
      throw new DreamloomApiError('HTTP_404', 'This reply has no such earlier version', 404);
    const chosen = message.swipes[index];
    message.swipes = message.swipes.map((swipe, i) => (i === index ? message.content : swipe));
    message.content = chosen;
    const { conversationId: _conversation, ...view } = message;
    return { ...view, swipes: [...view.swipes] };
  }

  async history(user: PlatformUser, conversationId: string) {
    this.count('history');
    this.writable(user, conversationId);
    return this.messages
      .filter((m) => m.conversationId === conversationId)
      .map(({ conversationId: _conversation, ...message }) => ({ ...message, swipes: [...message.swipes] }));
  }

  async endConversation(_user: PlatformUser, conversationId: string) {
    this.count('endConversation');
    this.ended.add(conversationId);
  }

  async findBinding(user: PlatformUser, channel: string) {
    this.count('findBinding');
    return this.bindings.get(`${user.platform}:${channel}`) ?? null;
  }

  async bind(user: PlatformUser, input: { channel: string; storyId: string; parentChannel?: string }) {
    this.count('bind');
    const key = `${user.platform}:${input.channel}`;
    const running = this.bindings.get(key);
    if (running)
      throw new DreamloomApiError('HTTP_409', `A story already runs here: ${running.story.title}`, 409);
    const story = this.story(input.storyId);
    this.conversations += 1;
    const binding: StoryBinding = {
      conversationId: `c${this.conversations}`,
      story,
      startedBy: `user-${user.id}`,
      parentChannel: input.parentChannel ?? null,
    };
    this.bindings.set(key, binding);
    this.places.set(binding.conversationId, { place: key, starter: `${user.platform}:${user.id}` });
    return { binding, openings: this.openings(story, binding.conversationId) };
  }

  /** Members the fake treats as staff (`platform:id`): they may end anyone's story, as on the server. */
  readonly staff = new Set<string>();

  async endBinding(user: PlatformUser, channel: string, options: { moderator?: boolean } = {}) {
    this.count('endBinding');
    const key = `${user.platform}:${channel}`;
    const binding = this.bindings.get(key);
    if (!binding) return null;
    const starter = this.places.get(binding.conversationId)?.starter;
    const member = `${user.platform}:${user.id}`;
    if (starter !== member && !this.staff.has(member) && !options.moderator)
      throw new DreamloomApiError(
        'HTTP_403',
        'Only the member who started this story, or staff, can end it',
        403,
      );
    this.bindings.delete(key);
    this.ended.add(binding.conversationId);
    return binding;
  }
}
