import { DreamloomApiError, type PlatformUser } from './dreamloom-client.js';

/** A published story as the bots list it. */
export interface StorySummary {
  id: string;
  title: string;
  intro: string;
  characters: StoryCharacter[];
}

export interface StoryCharacter {
  id: string;
  name: string;
  imageUrl: string | null;
  type: string;
}

export interface StoryMessage {
  id: string;
  content: string;
  characterId: string | null;
  characterName: string | null;
  role: 'user' | 'assistant';
  /** A regenerated reply's other versions (the server keeps every one; `content` is the chosen). */
  swipes: string[];
}

/**
 * What a platform place (Discord thread, Telegram chat or topic) plays. The server keeps it, so a
 * restarted bot or a second bot process continues the same conversation.
 */
export interface StoryBinding {
  conversationId: string;
  story: StorySummary;
  /** The Dreamloom user id of who started it. */
  startedBy: string;
  /** Discord: the channel owning the thread, whose webhook speaks for the characters. */
  parentChannel: string | null;
}

/** Callbacks of one streamed chat operation (a turn, a regenerate). */
export interface StoryStreamListener {
  onSpeakers?(speakers: Array<{ id: string; name: string }>): void;
  onStart?(start: { messageId: string; characterId: string; characterName: string }): void | Promise<void>;
  onDelta?(delta: { messageId: string; content: string }): void;
  onEnd?(message: StoryMessage): void | Promise<void>;
}

/** The story endpoints of contract 002 the bots use, acting for a platform user. */
export interface StoryApi {
  listStories(user: PlatformUser): Promise<StorySummary[]>;
  startConversation(
    user: PlatformUser,
    storyId: string,
  ): Promise<{ conversationId: string; openings: StoryMessage[] }>;
  playTurn(
    user: PlatformUser,
    input: { conversationId: string; content: string; authorName?: string },
    listener: StoryStreamListener,
  ): Promise<void>;
  regenerate(user: PlatformUser, conversationId: string, listener: StoryStreamListener): Promise<void>;
  endConversation(user: PlatformUser, conversationId: string): Promise<void>;
  /** The binding of a place on the user's platform, or null when no story runs there. */
  findBinding(user: PlatformUser, channel: string): Promise<StoryBinding | null>;
  /**
   * Starts a story in a place: a new conversation bound to it, with its opening messages.
   * Rejects with status 409 while another story runs there.
   */
  bind(
    user: PlatformUser,
    input: { channel: string; storyId: string; parentChannel?: string },
  ): Promise<{ binding: StoryBinding; openings: StoryMessage[] }>;
  /**
   * Ends the story of a place (and its conversation); null when none ran there. Only its starter,
   * staff, or a moderator of the place (`moderator`: the bot checked the platform's permissions)
   * may; others are refused with 403.
   */
  endBinding(
    user: PlatformUser,
    channel: string,
    options?: { moderator?: boolean },
  ): Promise<StoryBinding | null>;
  /**
   * Brings back `swipes[index]` of a character reply as its content (the current content takes
   * its place among the swipes); answers the reply as it now is.
   */
  selectSwipe(user: PlatformUser, messageId: string, index: number): Promise<StoryMessage>;
  /** The latest messages of a conversation, oldest first. */
  history(user: PlatformUser, conversationId: string): Promise<StoryMessage[]>;
}

export interface StoryApiOptions {
  baseUrl: string;
  botToken: string;
  fetch?: typeof fetch;
  /** Per-request timeout (a streamed turn may take minutes). Default 300 000 ms. */
  timeoutMs?: number;
}

interface RawMessage {
  id: string;
  content: string;
  character_id: string | null;
  character_name: string | null;
  role: 'user' | 'assistant';
  swipes?: string[];
}

interface RawStory {
  id: string;
  title: string;
  intro: string;
  characterDetails: Array<{ id: string; name: string; image_url: string; character_type: string }>;
}

interface RawBinding {
  conversation_id: string;
  started_by: string;
  parent_channel: string | null;
  story: RawStory;
}

const toStory = (row: RawStory): StorySummary => ({
  id: row.id,
  title: row.title,
  intro: row.intro,
  characters: row.characterDetails.map((c) => ({
    id: c.id,
    name: c.name,
    imageUrl: c.image_url || null,
    type: c.character_type,
  })),
});

const toBinding = (raw: RawBinding): StoryBinding => ({
  conversationId: raw.conversation_id,
  story: toStory(raw.story),
  startedBy: raw.started_by,
  parentChannel: raw.parent_channel,
});

const toMessage = (raw: RawMessage): StoryMessage => ({
  id: raw.id,
  content: raw.content,
  characterId: raw.character_id,
  characterName: raw.character_name,
  role: raw.role,
  swipes: raw.swipes ?? [],
});

/** HTTP + SSE client of the story API (errors carry the contract's `{detail}`). */
export function createStoryApi(options: StoryApiOptions): StoryApi {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;

  const headers = (user: PlatformUser): Record<string, string> => ({
    authorization: `Bot ${options.botToken}`,
    'x-platform': user.platform,
    'x-platform-user-id': user.id,
    ...(user.username ? { 'x-platform-username': encodeURIComponent(user.username) } : {}),
    ...(user.channel ? { 'x-platform-channel': user.channel } : {}),
    'content-type': 'application/json',
  });

  async function call(user: PlatformUser, method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: headers(user),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 300_000),
      });
    } catch (error) {
      throw new DreamloomApiError('NETWORK_ERROR', `Dreamloom server unreachable: ${String(error)}`, 0);
    }
    if (!response.ok) {
      const text = await response.text();
      let detail = response.statusText;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
      } catch {
        // keep the status text
      }
      throw new DreamloomApiError(`HTTP_${response.status}`, detail, response.status);
    }
    return response;
  }

  async function json<T>(user: PlatformUser, method: string, path: string, body?: unknown): Promise<T> {
    return (await (await call(user, method, path, body)).json()) as T;
  }

  /** Reads an SSE response event by event as it arrives. */
  async function stream(response: Response, listener: StoryStreamListener): Promise<void> {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const lines = block.split('\n');
        const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message';
        const data = lines
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data === '[DONE]') return;
        const payload = JSON.parse(data) as Record<string, unknown>;
        if (event === 'speakers')
          listener.onSpeakers?.(payload.speakers as Array<{ id: string; name: string }>);
        else if (event === 'start')
          await listener.onStart?.({
            messageId: String(payload.message_id),
            characterId: String(payload.character_id),
            characterName: String(payload.character_name),
          });
        else if (event === 'end') await listener.onEnd?.(toMessage(payload as unknown as RawMessage));
        else if (event === 'error')
          throw new DreamloomApiError(
            'STORY_STREAM_ERROR',
            String(payload.detail ?? 'Generation failed'),
            502,
          );
        else listener.onDelta?.({ messageId: String(payload.message_id), content: String(payload.content) });
      }
    }
  }

  async function history(user: PlatformUser, conversationId: string): Promise<StoryMessage[]> {
    const rows = await json<RawMessage[]>(
      user,
      'GET',
      `/api/v1/story_chat/history-messages?conversation_id=${encodeURIComponent(conversationId)}`,
    );
    return rows.map(toMessage);
  }

  return {
    async listStories(user) {
      const rows = await json<RawStory[]>(user, 'GET', '/api/v1/story/published?page=1&limit=25');
      return rows.map(toStory);
    },
    async startConversation(user, storyId) {
      const created = await json<{ id: string }>(user, 'POST', '/api/v1/conversation', { story_id: storyId });
      return { conversationId: created.id, openings: await history(user, created.id) };
    },
    history,
    async selectSwipe(user, messageId, index) {
      const row = await json<RawMessage>(
        user,
        'POST',
        `/api/v1/story_chat/messages/${encodeURIComponent(messageId)}/swipe`,
        { index },
      );
      return toMessage(row);
    },
    async playTurn(user, input, listener) {
      const response = await call(user, 'POST', '/api/v1/story_chat/turn', {
        conversation_id: input.conversationId,
        content: input.content,
        ...(input.authorName ? { author_name: input.authorName } : {}),
      });
      await stream(response, listener);
    },
    async regenerate(user, conversationId, listener) {
      const response = await call(user, 'POST', '/api/v1/story_chat/regenerate', {
        conversation_id: conversationId,
      });
      await stream(response, listener);
    },
    async endConversation(user, conversationId) {
      await call(user, 'POST', `/api/v1/conversation/${encodeURIComponent(conversationId)}/end`, {});
    },
    async findBinding(user, channel) {
      const { binding } = await json<{ binding: RawBinding | null }>(
        user,
        'GET',
        `/api/v1/story_chat/bindings?channel=${encodeURIComponent(channel)}`,
      );
      return binding && toBinding(binding);
    },
    async bind(user, input) {
      const created = await json<{ binding: RawBinding; openings: RawMessage[] }>(
        user,
        'POST',
        '/api/v1/story_chat/bindings',
        {
          channel: input.channel,
          story_id: input.storyId,
          ...(input.parentChannel ? { parent_channel: input.parentChannel } : {}),
        },
      );
      return { binding: toBinding(created.binding), openings: created.openings.map(toMessage) };
    },
    async endBinding(user, channel, options = {}) {
      try {
        const { binding } = await json<{ binding: RawBinding }>(
          user,
          'POST',
          '/api/v1/story_chat/bindings/end',
          { channel, ...(options.moderator ? { moderator: true } : {}) },
        );
        return toBinding(binding);
      } catch (error) {
        if (error instanceof DreamloomApiError && error.status === 404) return null;
        throw error;
      }
    },
  };
}
