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

/**
 * An in-memory story server for the bots' unit tests, with the real server's binding rules:
 * one active story per platform place (409 otherwise), ending closes the conversation, turns in an
 * ended conversation are refused with 409, and a bound conversation is played only by its starter
 * or by members acting in its place (`PlatformUser.channel`; 404 otherwise, as the server answers
 * non-participants). Several handlers (bot processes) may share one.
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
  private conversations = 0;

  constructor(private readonly options: FakeStoryApiOptions) {}

  private count(method: string) {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private story(id: string): StorySummary {
    const story = this.options.stories.find((candidate) => candidate.id === id);
    if (!story) throw new DreamloomApiError('HTTP_404', 'Story not found', 404);
    return story;
  }

  private async stream(listener: StoryStreamListener) {
    for (const [index, reply] of (this.options.replies ?? []).entries()) {
      await listener.onStart?.({ messageId: `m${index}`, characterId: reply.id, characterName: reply.name });
      for (const word of reply.text.split(/(?<= )/)) {
        listener.onDelta?.({ messageId: `m${index}`, content: word });
        await new Promise((resolve) => setTimeout(resolve, this.options.wordDelayMs ?? 5));
      }
      await listener.onEnd?.({
        id: `m${index}`,
        content: reply.text,
        characterId: reply.id,
        characterName: reply.name,
        role: 'assistant',
      });
    }
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
    return { conversationId: `c${this.conversations}`, openings: this.openings(story) };
  }

  private openings(story: StorySummary): StoryMessage[] {
    const first = story.characters[0];
    return (
      this.options.openings ?? [
        { id: 'o', content: 'Welcome.', characterId: first.id, characterName: first.name, role: 'assistant' },
      ]
    );
  }

  async playTurn(
    user: PlatformUser,
    input: { conversationId: string; content: string },
    listener: StoryStreamListener,
  ) {
    this.count('playTurn');
    this.writable(user, input.conversationId);
    this.turns.push({ conversationId: input.conversationId, content: input.content });
    await this.stream(listener);
  }

  async regenerate(user: PlatformUser, conversationId: string, listener: StoryStreamListener) {
    this.count('regenerate');
    this.writable(user, conversationId);
    await this.stream(listener);
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
    return { binding, openings: this.openings(story) };
  }

  async endBinding(user: PlatformUser, channel: string) {
    this.count('endBinding');
    const key = `${user.platform}:${channel}`;
    const binding = this.bindings.get(key);
    if (!binding) return null;
    this.bindings.delete(key);
    this.ended.add(binding.conversationId);
    return binding;
  }
}
