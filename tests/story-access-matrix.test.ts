import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, botHeaders, connectSocket, subscribe } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { readSse, walletLogin } from './support/story.js';

/**
 * Object-level access of contract 002 (core/src/story/access/*): every owned resource kind ×
 * every kind of caller × every action, with the expected answer written out below, on both
 * databases. Each cell runs against a fresh world (its own owner and resources), so an allowed
 * change in one cell cannot hide a refusal in the next; after every refused call the resource's
 * stored state is compared with what it was before (nothing changed, nothing stored).
 *
 * Callers: `owner` made the resources; `other` is another member (wallet token); `bot` is another
 * member acting through the bot (bot credential + platform user, no bound channel); `anon` sends
 * no credential; `staff` is the admin. Statuses are HTTP statuses; for the socket.io room, 200 is
 * "joined", 403 "refused" (the same answer for a room that does not exist) and 401 "handshake
 * refused".
 */
type Caller = 'owner' | 'other' | 'bot' | 'anon' | 'staff';
type Verb = 'read' | 'use' | 'change' | 'delete' | 'subscribe';
type Outcomes = Record<Caller, number>;

/** Callers expected to be refused go first: their cells share one world (see the test below). */
const CALLERS: Caller[] = ['other', 'bot', 'anon', 'staff', 'owner'];
const SECRET = 'SECRET-PERSONA';

interface World {
  owner: string;
  other: string;
  botUser: string;
  /** The owner's private character, cast nowhere. */
  privateCharacter: string;
  /** Another private character of the owner, cast in the published story. */
  castCharacter: string;
  draft: string;
  published: string;
  /** The owner's conversation of the published story (opening + one exchange). */
  conversation: string;
  /** The owner's own line in it. */
  message: string;
}

interface Cell {
  status: number;
  body: any;
}

interface Row {
  resource: string;
  verb: Verb;
  action: string;
  expected: Outcomes;
  run(world: World, caller: Caller): Promise<Cell>;
  /** The stored state a refused call must leave unchanged. */
  state(world: World): Promise<unknown>;
  /** Extra checks on an allowed or refused answer. */
  check?(cell: Cell, caller: Caller, world: World): void;
}

const row = (
  resource: string,
  verb: Verb,
  action: string,
  [owner, other, bot, anon, staff]: [number, number, number, number, number],
  rest: Pick<Row, 'run' | 'state' | 'check'>,
): Row => ({ resource, verb, action, expected: { owner, other, bot, anon, staff }, ...rest });

describe.each(['sqlite', 'mariadb'] as const)('story access matrix on %s', (db) => {
  let system: RunningSystem;
  let narrator: string;
  let botSeq = 0;

  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
    // Replies are only a means here: stream them fast.
    system.sandbox.state.updateSettings({
      chatFirstTokenMs: 5,
      chatChunkIntervalMs: 1,
      chatTokensPerChunk: 20,
    });
    narrator = (await api(system.baseUrl, 'GET', '/api/v1/narrator', { token: system.admin.token })).body.id;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const models = () => system.core.story.models;

  function headersOf(world: World, caller: Caller): Record<string, string> {
    if (caller === 'owner') return { authorization: `Bearer ${world.owner}` };
    if (caller === 'other') return { authorization: `Bearer ${world.other}` };
    if (caller === 'staff') return { authorization: `Bearer ${system.admin.token}` };
    if (caller === 'bot') return botHeaders(system.botToken, 'discord', world.botUser);
    return {};
  }

  async function call(world: World, caller: Caller, method: string, path: string, body?: unknown) {
    const response = await api(system.baseUrl, method, path, { headers: headersOf(world, caller), body });
    return { status: response.status, body: response.body };
  }

  /** An event-stream endpoint; `koa` sends it through the Koa route instead of the fast path. */
  async function stream(world: World, caller: Caller, path: string, body: unknown, koa = false) {
    const response = await fetch(`${system.baseUrl}${path}${koa ? '?via=koa' : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headersOf(world, caller) },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) return { status: response.status, body: await response.json() };
    const events = await readSse(response);
    expect(events.find((event) => event.event === 'error')).toBeUndefined();
    return { status: 200, body: events };
  }

  async function world(): Promise<World> {
    const owner = (await walletLogin(system)).token;
    const other = (await walletLogin(system)).token;
    const as = { token: owner };
    const character = async (name: string) => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/characters', {
        ...as,
        body: { name, description: `${SECRET} of ${name}`, personality: SECRET, background: SECRET },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const privateCharacter = await character('Hidden');
    const castCharacter = await character('Cast');
    const draft = await api(system.baseUrl, 'POST', '/api/v1/stories', {
      ...as,
      body: { title: 'Draft', setting: { character_ids: [castCharacter] } },
    });
    const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
      ...as,
      body: {
        story_name: `Published ${Date.now()}`,
        template_content: 'A quiet harbour.',
        characters: [castCharacter, narrator],
        opening_messages: [{ content: 'The tide turns.', character: castCharacter }],
        settings: { config: { speaker_strategy: 'list', model: 'sandbox-chat' } },
      },
    });
    expect(published.status).toBe(200);
    const conversation = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
      ...as,
      body: { story_id: published.body.id },
    });
    const w = {
      owner,
      other,
      botUser: `7${Date.now()}${(botSeq += 1)}`.slice(0, 18),
      privateCharacter,
      castCharacter,
      draft: draft.body.id as string,
      published: published.body.id as string,
      conversation: conversation.body.id as string,
      message: '',
    };
    const reply = await stream(w, 'owner', '/api/v1/story_chat/generate-response', {
      character_id: castCharacter,
      conversation_id: w.conversation,
      user_message: 'Hello, harbour.',
      is_first_response: true,
    });
    expect(reply.status).toBe(200);
    const line = await models().ChatMessage.findOne({
      where: { conversation_id: w.conversation, role: 'user' },
    });
    w.message = line!.id;
    return w;
  }

  // ---- stored state that refused calls must leave alone ------------------------------------
  const characterState = async (id: string) =>
    (await models().Character.findByPk(id, { raw: true })) ?? 'deleted';
  const storyState = async (id: string) => ({
    story: (await models().Story.findByPk(id, { raw: true })) ?? 'deleted',
    conversations: await models().Conversation.count({ where: { story_id: id } }),
  });
  const conversationState = async (w: World) => ({
    messages: await models().ChatMessage.findAll({
      where: { conversation_id: w.conversation },
      order: [['sequence', 'ASC']],
      raw: true,
    }),
    status: (await models().Conversation.findByPk(w.conversation))?.status,
    participants: await models().ConversationParticipant.count({
      where: { conversation_id: w.conversation },
    }),
    invites: await models().ConversationInvite.count({ where: { conversation_id: w.conversation } }),
  });
  const storiesCasting = async (id: string) =>
    (await models().Story.findAll({ raw: true })).filter((s) => s.character_ids.includes(id)).length;

  /** An answer that refuses must not carry the private persona. */
  const noPersona = (cell: Cell) => expect(JSON.stringify(cell.body)).not.toContain(SECRET);

  // ---- the expected outcomes: [owner, other, bot, anon, staff] ------------------------------
  const MATRIX: Row[] = [
    // A member's private character (not cast anywhere).
    row('private character', 'read', 'GET /characters/{id}', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'GET', `/api/v1/characters/${w.privateCharacter}`),
      state: (w) => characterState(w.privateCharacter),
      check: (cell) => {
        if (cell.status === 200) expect(cell.body.personality).toBe(SECRET);
        else noPersona(cell);
      },
    }),
    row('private character', 'use', 'POST /story/publish casting it', [200, 403, 403, 401, 403], {
      run: (w, c) =>
        call(w, c, 'POST', '/api/v1/story/publish', {
          story_name: 'Borrowed cast',
          characters: [w.privateCharacter],
        }),
      state: async (w) => ({ casting: await storiesCasting(w.privateCharacter) }),
    }),
    row('private character', 'use', 'POST /stories (draft) casting it', [201, 403, 403, 401, 403], {
      run: (w, c) =>
        call(w, c, 'POST', '/api/v1/stories', {
          title: 'Borrowed draft',
          setting: { character_ids: [w.privateCharacter] },
        }),
      state: async (w) => ({ casting: await storiesCasting(w.privateCharacter) }),
    }),
    row('private character', 'use', 'PUT /stories/{id} adding it to (own) story', [200, 403, 403, 401, 403], {
      // Each caller edits a story of their own (staff: any story) to add the owner's character.
      run: async (w, c) => {
        if (c === 'anon') return call(w, c, 'PUT', `/api/v1/stories/${w.draft}`, {});
        const own =
          c === 'owner' || c === 'staff'
            ? w.draft
            : (
                await call(w, c, 'POST', '/api/v1/stories', {
                  title: 'Mine',
                  setting: { character_ids: [] },
                })
              ).body.id;
        return call(w, c, 'PUT', `/api/v1/stories/${own}`, {
          setting: { character_ids: [w.privateCharacter] },
        });
      },
      state: async (w) => ({ casting: await storiesCasting(w.privateCharacter) }),
    }),
    row(
      'private character',
      'use',
      'generate-response as it, no conversation (fast path)',
      [200, 404, 404, 401, 403],
      {
        run: (w, c) =>
          stream(w, c, '/api/v1/story_chat/generate-response', {
            character_id: w.privateCharacter,
            user_message: 'Who are you?',
          }),
        state: (w) => characterState(w.privateCharacter),
        check: (cell) => cell.status !== 200 && noPersona(cell),
      },
    ),
    row(
      'private character',
      'use',
      'generate-response as it, no conversation (Koa route)',
      [200, 404, 404, 401, 403],
      {
        run: (w, c) =>
          stream(
            w,
            c,
            '/api/v1/story_chat/generate-response',
            { character_id: w.privateCharacter, user_message: 'Who are you?' },
            true,
          ),
        state: (w) => characterState(w.privateCharacter),
      },
    ),
    row('private character', 'change', 'PUT /characters/{id}', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'PUT', `/api/v1/characters/${w.privateCharacter}`, { name: 'Renamed' }),
      state: (w) => characterState(w.privateCharacter),
    }),
    row('private character', 'delete', 'DELETE /characters/{id}', [204, 404, 404, 401, 204], {
      run: (w, c) => call(w, c, 'DELETE', `/api/v1/characters/${w.privateCharacter}`),
      state: (w) => characterState(w.privateCharacter),
    }),

    // The owner's private character cast in the owner's published story.
    row(
      'cast character',
      'read',
      'GET /characters/{id} (players: public card only)',
      [200, 200, 200, 401, 200],
      {
        run: (w, c) => call(w, c, 'GET', `/api/v1/characters/${w.castCharacter}`),
        state: (w) => characterState(w.castCharacter),
        check: (cell, caller) => {
          if (caller === 'owner' || caller === 'staff') expect(cell.body.personality).toBe(SECRET);
          else if (cell.status === 200) {
            expect(cell.body).toMatchObject({ id: expect.any(String), name: 'Cast', is_public: false });
            expect(Object.keys(cell.body)).not.toContain('description');
            noPersona(cell);
          }
        },
      },
    ),
    row('cast character', 'read', 'GET /story/published characterDetails', [200, 200, 200, 401, 200], {
      run: (w, c) => call(w, c, 'GET', '/api/v1/story/published?page=1&limit=100'),
      state: (w) => characterState(w.castCharacter),
      check: (cell, caller, w) => {
        if (cell.status !== 200) return;
        const story = cell.body.find((s: any) => s.id === w.published);
        const detail = story.characterDetails.find((d: any) => d.id === w.castCharacter);
        expect(detail.name).toBe('Cast');
        if (caller === 'owner' || caller === 'staff') expect(detail.description).toContain(SECRET);
        else expect(detail.description).toBe('');
      },
    }),
    row(
      'cast character',
      'use',
      "generate-response as it in one's own conversation of the story",
      [200, 200, 200, 401, 200],
      {
        run: async (w, c) => {
          const mine = await call(w, c, 'POST', '/api/v1/conversation', { story_id: w.published });
          return stream(w, c, '/api/v1/story_chat/generate-response', {
            character_id: w.castCharacter,
            conversation_id: mine.body?.id ?? '1',
            user_message: 'Hello',
            is_first_response: true,
          });
        },
        state: (w) => characterState(w.castCharacter),
      },
    ),
    row(
      'cast character',
      'delete',
      'DELETE /characters/{id} (409 CHARACTER_IN_USE)',
      [409, 404, 404, 401, 409],
      {
        run: (w, c) => call(w, c, 'DELETE', `/api/v1/characters/${w.castCharacter}`),
        state: (w) => characterState(w.castCharacter),
        check: (cell) => {
          if (cell.status === 409) expect(cell.body.detail).toMatch(/published story casts this character/);
        },
      },
    ),

    // The owner's draft story.
    row('story draft', 'read', 'GET /stories/{id}', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'GET', `/api/v1/stories/${w.draft}`),
      state: (w) => storyState(w.draft),
    }),
    row('story draft', 'use', 'POST /conversation', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'POST', '/api/v1/conversation', { story_id: w.draft }),
      state: (w) => storyState(w.draft),
    }),
    row('story draft', 'change', 'PUT /stories/{id}', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'PUT', `/api/v1/stories/${w.draft}`, { title: 'Renamed' }),
      state: (w) => storyState(w.draft),
    }),
    row('story draft', 'delete', 'DELETE /stories/{id}', [204, 404, 404, 401, 204], {
      run: (w, c) => call(w, c, 'DELETE', `/api/v1/stories/${w.draft}`),
      state: (w) => storyState(w.draft),
    }),

    // The owner's published story.
    row('published story', 'read', 'GET /stories/{id}', [200, 200, 200, 401, 200], {
      run: (w, c) => call(w, c, 'GET', `/api/v1/stories/${w.published}`),
      state: (w) => storyState(w.published),
    }),
    row('published story', 'use', 'POST /conversation (a new one of their own)', [200, 200, 200, 401, 200], {
      run: (w, c) => call(w, c, 'POST', '/api/v1/conversation', { story_id: w.published }),
      state: (w) => storyState(w.published),
    }),
    row('published story', 'change', 'PUT /stories/{id}', [200, 403, 403, 401, 200], {
      run: (w, c) => call(w, c, 'PUT', `/api/v1/stories/${w.published}`, { title: 'Renamed' }),
      state: (w) => storyState(w.published),
    }),
    row('published story', 'delete', 'DELETE /stories/{id}', [204, 403, 403, 401, 204], {
      run: (w, c) => call(w, c, 'DELETE', `/api/v1/stories/${w.published}`),
      state: (w) => storyState(w.published),
    }),

    // The owner's conversation of the published story.
    row('conversation', 'read', 'GET /story_chat/history-messages', [200, 404, 404, 401, 200], {
      run: (w, c) =>
        call(w, c, 'GET', `/api/v1/story_chat/history-messages?conversation_id=${w.conversation}`),
      state: conversationState,
      check: (cell) => cell.status !== 200 && expect(JSON.stringify(cell.body)).not.toContain('harbour'),
    }),
    row('conversation', 'read', 'POST /story_chat/history-messages', [200, 404, 404, 401, 200], {
      run: (w, c) =>
        call(w, c, 'POST', '/api/v1/story_chat/history-messages', { conversation_id: w.conversation }),
      state: conversationState,
    }),
    row('conversation', 'use', 'generate-response with a new line (fast path)', [200, 404, 404, 401, 403], {
      run: (w, c) =>
        stream(w, c, '/api/v1/story_chat/generate-response', {
          character_id: w.castCharacter,
          conversation_id: w.conversation,
          user_message: 'Let me in',
          is_first_response: true,
        }),
      state: conversationState,
    }),
    row('conversation', 'use', 'generate-response with a new line (Koa route)', [200, 404, 404, 401, 403], {
      run: (w, c) =>
        stream(
          w,
          c,
          '/api/v1/story_chat/generate-response',
          {
            character_id: w.castCharacter,
            conversation_id: w.conversation,
            user_message: 'Let me in',
            is_first_response: true,
          },
          true,
        ),
      state: conversationState,
    }),
    row('conversation', 'use', 'POST /story_chat/turn', [200, 404, 404, 401, 403], {
      run: (w, c) =>
        stream(w, c, '/api/v1/story_chat/turn', { conversation_id: w.conversation, content: 'Let me in' }),
      state: conversationState,
    }),
    row('conversation', 'change', 'POST /story_chat/regenerate', [200, 404, 404, 401, 403], {
      run: (w, c) => stream(w, c, '/api/v1/story_chat/regenerate', { conversation_id: w.conversation }),
      state: conversationState,
    }),
    row('conversation', 'change', 'POST /conversation/{id}/invite', [200, 404, 404, 401, 403], {
      run: (w, c) => call(w, c, 'POST', `/api/v1/conversation/${w.conversation}/invite`, {}),
      state: conversationState,
      check: (cell) => {
        if (cell.status === 200) expect(cell.body.code).toMatch(/^inv_/);
      },
    }),
    row('conversation', 'delete', 'POST /conversation/{id}/end', [200, 404, 404, 401, 200], {
      run: (w, c) => call(w, c, 'POST', `/api/v1/conversation/${w.conversation}/end`, {}),
      state: conversationState,
    }),
    row('conversation', 'subscribe', 'socket.io room conversation:{id}', [200, 403, 403, 401, 200], {
      run: async (w, c) => {
        const auth =
          c === 'anon'
            ? {}
            : c === 'bot'
              ? { botToken: system.botToken, platform: 'discord', platformUserId: w.botUser }
              : { token: c === 'owner' ? w.owner : c === 'other' ? w.other : system.admin.token };
        const socket = await connectSocket(system.baseUrl, auth).catch(() => null);
        if (!socket) return { status: 401, body: null };
        try {
          const answer = await subscribe(socket, `conversation:${w.conversation}`);
          return { status: answer.ok ? 200 : 403, body: answer };
        } finally {
          socket.disconnect();
        }
      },
      state: conversationState,
    }),

    // The owner's own line in that conversation.
    row('message', 'read', 'in GET /story_chat/history-messages', [200, 404, 404, 401, 200], {
      run: (w, c) =>
        call(w, c, 'GET', `/api/v1/story_chat/history-messages?conversation_id=${w.conversation}`),
      state: conversationState,
      check: (cell, _caller, w) => {
        if (cell.status === 200) expect(cell.body.map((m: any) => m.id)).toContain(w.message);
      },
    }),
    row('message', 'use', 'POST /story_chat/continue (the reply to it)', [200, 404, 404, 401, 403], {
      run: (w, c) => stream(w, c, '/api/v1/story_chat/continue', { conversation_id: w.conversation }),
      state: conversationState,
    }),
    row('message', 'change', 'PUT /story_chat/messages/{id}', [200, 404, 404, 401, 403], {
      run: (w, c) => call(w, c, 'PUT', `/api/v1/story_chat/messages/${w.message}`, { content: 'Rewritten' }),
      state: conversationState,
    }),
  ];

  it('answers every cell of the matrix as written, and a refused call changes nothing', async () => {
    const failures: string[] = [];
    for (const entry of MATRIX) {
      // A refused call is checked to change nothing, so the next cell may use the same world; a
      // call that was allowed (and may have changed it) leaves the next cell a fresh world.
      let w: World | null = null;
      for (const caller of CALLERS) {
        w ??= await world();
        const before = await entry.state(w);
        const cell = await entry.run(w, caller);
        const label = `${entry.resource} × ${caller} × ${entry.verb}: ${entry.action}`;
        if (cell.status !== entry.expected[caller])
          failures.push(
            `${label} → ${cell.status} (expected ${entry.expected[caller]}) ${JSON.stringify(cell.body)}`,
          );
        if (cell.status >= 400) {
          expect(await entry.state(w), `${label} changed stored state`).toEqual(before);
          // Refusals speak the story family's envelope (sockets answer in their own).
          if (entry.verb !== 'subscribe') expect(cell.body, label).toEqual({ detail: expect.any(String) });
        }
        entry.check?.(cell, caller, w);
        if (cell.status < 400 && entry.verb !== 'read' && entry.verb !== 'subscribe') w = null;
      }
    }
    expect(failures).toEqual([]);
  }, 90_000);

  it('an invite code lets one member join: they read and play, the code is spent, others stay out', async () => {
    const w = await world();
    const count = () => models().ChatMessage.count({ where: { conversation_id: w.conversation } });
    const invite = await call(w, 'owner', 'POST', `/api/v1/conversation/${w.conversation}/invite`, {});
    expect(invite.body).toEqual({
      code: expect.stringMatching(/^inv_[A-Za-z0-9_-]{24}$/),
      conversation_id: w.conversation,
      expires_at: expect.any(String),
    });
    // Only its hash is stored.
    const stored = await models().ConversationInvite.findOne({ where: { conversation_id: w.conversation } });
    expect(JSON.stringify(stored)).not.toContain(invite.body.code);

    const joined = await call(w, 'other', 'POST', '/api/v1/conversation/join', { code: invite.body.code });
    expect(joined).toEqual({
      status: 200,
      body: { conversation_id: w.conversation, story_id: w.published, status: 'active' },
    });
    expect((await call(w, 'other', 'GET', `/api/v1/conversation/${w.published}`)).body).toEqual({
      conversation_id: w.conversation,
    });
    const history = await call(
      w,
      'other',
      'GET',
      `/api/v1/story_chat/history-messages?conversation_id=${w.conversation}`,
    );
    expect(history.body.map((m: any) => m.id)).toContain(w.message);
    const before = await count();
    const played = await stream(w, 'other', '/api/v1/story_chat/generate-response', {
      character_id: w.castCharacter,
      conversation_id: w.conversation,
      user_message: 'Thanks for having me.',
      is_first_response: true,
    });
    expect(played.status).toBe(200);
    expect(await count()).toBe(before + 2);

    // Spent: the bot member cannot reuse it, and stays out.
    const reused = await call(w, 'bot', 'POST', '/api/v1/conversation/join', { code: invite.body.code });
    expect(reused).toEqual({ status: 404, body: { detail: 'Invite not found' } });
    expect((await call(w, 'bot', 'POST', '/api/v1/conversation/join', { code: 'inv_guess' })).status).toBe(
      404,
    );
    expect(
      (await call(w, 'bot', 'GET', `/api/v1/story_chat/history-messages?conversation_id=${w.conversation}`))
        .status,
    ).toBe(404);
    // A bot member joins with a code of their own, like any member.
    const second = await call(w, 'other', 'POST', `/api/v1/conversation/${w.conversation}/invite`, {});
    expect(
      (await call(w, 'bot', 'POST', '/api/v1/conversation/join', { code: second.body.code })).status,
    ).toBe(200);
    expect(
      (await call(w, 'bot', 'GET', `/api/v1/story_chat/history-messages?conversation_id=${w.conversation}`))
        .status,
    ).toBe(200);
    expect(await models().ConversationParticipant.count({ where: { conversation_id: w.conversation } })).toBe(
      3,
    );
  });

  it("a bound channel's players play its conversation only when the bot names that channel", async () => {
    const w = await world();
    const channel = `81${Date.now()}`.slice(0, 18);
    const starter = botHeaders(system.botToken, 'discord', `61${Date.now()}`.slice(0, 18));
    const player = botHeaders(system.botToken, 'discord', `62${Date.now()}`.slice(0, 18));
    const bound = await api(system.baseUrl, 'POST', '/api/v1/story_chat/bindings', {
      headers: starter,
      body: { channel, story_id: w.published },
    });
    expect(bound.status).toBe(200);
    const conversation = bound.body.binding.conversation_id as string;
    // The bound story's card shows the private cast member without its persona.
    expect(JSON.stringify(bound.body.binding.story)).not.toContain(SECRET);
    const count = () => models().ChatMessage.count({ where: { conversation_id: conversation } });
    const turn = (headers: Record<string, string>) =>
      fetch(`${system.baseUrl}/api/v1/story_chat/turn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ conversation_id: conversation, content: 'Hello, all' }),
      }).then(async (response) => ({ status: response.status, text: await response.text() }));

    const before = await count();
    for (const [name, headers, status] of [
      ['no place named', player, 404],
      ['another place', { ...player, 'x-platform-channel': '999' }, 404],
      [
        'same id on another platform',
        { ...player, 'x-platform': 'telegram', 'x-platform-channel': channel },
        404,
      ],
      [
        'a web token naming the place',
        { authorization: `Bearer ${w.other}`, 'x-platform-channel': channel },
        404,
      ],
      ['a malformed place', { ...player, 'x-platform-channel': 'a b' }, 400],
    ] as Array<[string, Record<string, string>, number]>) {
      expect((await turn(headers)).status, name).toBe(status);
    }
    expect(await count()).toBe(before);

    const played = await turn({ ...player, 'x-platform-channel': channel });
    expect(played.status).toBe(200);
    expect(played.text).toContain('[DONE]');
    expect(await count()).toBeGreaterThan(before + 1);

    // Players play it, but only its starter (or staff) ends it; then the place grants nothing.
    const endAs = (headers: Record<string, string>) =>
      api(system.baseUrl, 'POST', '/api/v1/story_chat/bindings/end', { headers, body: { channel } });
    expect((await endAs(player)).status).toBe(403);
    const ended = await endAs(starter);
    expect(ended.status).toBe(200);
    const history = (headers: Record<string, string>) =>
      api(system.baseUrl, 'GET', `/api/v1/story_chat/history-messages?conversation_id=${conversation}`, {
        headers,
      });
    expect((await history({ ...player, 'x-platform-channel': channel })).status).toBe(404);
    // The starter is a participant in their own right.
    expect((await history(starter)).status).toBe(200);
  });
});
