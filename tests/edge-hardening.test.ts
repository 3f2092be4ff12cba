import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders, connectSocket, subscribe } from './support/clients.js';
import { walletLogin } from './support/story.js';

/**
 * The server's edge against hostile input and spoofed proxies: who the client is (X-Forwarded-For
 * only from trusted proxies), text no database stores (NUL, unpaired surrogates) and malformed
 * paths answered 400 in each family's envelope, ids checked by type, and CORS for /api/....
 */

/** A request with the path sent byte for byte (fetch would normalise `..` and some escapes). */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { ...headers, connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const NUL = '\u0000';
const LONE_SURROGATE = '\uD800';

/** A contract 004 route inside its per-address budget (health probes are outside it). */
const BUDGETED = '/api/v1/history';

describe('client address: X-Forwarded-For only from trusted proxies', () => {
  describe('TRUST_PROXY unset (the default)', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({ db: 'sqlite', worker: false });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('a client naming a new address in X-Forwarded-For each time gets no fresh budget (429 after the burst)', async () => {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          api(system.baseUrl, 'GET', BUDGETED, { headers: { 'x-forwarded-for': `10.9.${index}.1` } }),
        ),
      );
      const passed = answers.filter((answer) => answer.status !== 429).length;
      const limited = answers.filter((answer) => answer.status === 429);
      // Burst 20 plus what refills (10/s) while the 40 are answered; before the fix all 40 passed.
      expect(passed).toBeGreaterThanOrEqual(20);
      expect(passed).toBeLessThan(30);
      expect(limited.length).toBeGreaterThan(10);
      expect(limited[0].body).toEqual({ code: 429, message: '请求过于频繁,请稍后再试' });
      // One bucket, keyed by the peer address; none for the spoofed ones.
      const keys = await system.core.redis.keys(`${system.config.REDIS_PREFIX}:ratelimit:nanobanana:*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/127\.0\.0\.1$/);
    });
  });

  describe('TRUST_PROXY=true with one hop', () => {
    let system: RunningSystem;
    beforeAll(async () => {
      system = await startSystem({
        db: 'sqlite',
        worker: false,
        env: { TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '1' },
      });
    });
    afterAll(async () => {
      await system?.stop();
    });

    it('the address the proxy appended is the client: separate budgets per client, spoofed left entries ignored', async () => {
      // nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw.
      const viaProxy = (client: string, spoofed?: string) => ({
        'x-forwarded-for': spoofed ? `${spoofed}, ${client}` : client,
      });
      const first = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          api(system.baseUrl, 'GET', BUDGETED, {
            headers: viaProxy('203.0.113.7', `10.8.${index}.1`),
          }),
        ),
      );
      expect(first.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(1);
      // Another client behind the same proxy has its own budget.
      const other = await Promise.all(
        Array.from({ length: 10 }, () =>
          api(system.baseUrl, 'GET', BUDGETED, { headers: viaProxy('203.0.113.8') }),
        ),
      );
      expect(other.every((answer) => answer.status !== 429)).toBe(true);
      const keys = (
        await system.core.redis.keys(`${system.config.REDIS_PREFIX}:ratelimit:nanobanana:*`)
      ).sort();
      expect(keys.map((key) => key.split(':').pop())).toEqual(['203.0.113.7', '203.0.113.8']);
    });
  });
});

describe('hostile input answers 400 in the family envelope, never 500 (SQLite)', () => {
  let system: RunningSystem;
  let member: string;
  const staff = () => ({ authorization: `Bearer ${system.admin.token}` });

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false });
    member = (await walletLogin(system)).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const nulPaths: Array<[string, string]> = [
    ['GET', '/api/v1/characters/%00'],
    ['PUT', '/api/v1/characters/%00'],
    ['DELETE', '/api/v1/characters/%00'],
    ['GET', '/api/v1/stories/%00'],
    ['DELETE', '/api/v1/stories/%00'],
    ['GET', '/api/v1/story-templates/%00'],
    ['GET', '/api/v1/system-prompt-posts/%00'],
    ['DELETE', '/api/v1/system-prompt-posts/%00'],
    ['GET', '/api/v1/languages/%00'],
    ['GET', '/api/v1/art-styles/%00'],
    ['GET', '/api/v1/music/%00'],
    ['DELETE', '/api/v1/music/types/%00'],
    ['GET', '/api/v1/conversation/%00'],
    ['POST', '/api/v1/conversation/%00/end'],
    ['PUT', '/api/v1/story_chat/messages/%00'],
    ['GET', '/api/v1/ai/t2i/status/%00'],
    ['GET', '/api/v1/prompt-templates/%00'],
    ['GET', '/api/v1/story-admin/ai-models/%00'],
    ['GET', '/api/v1/jimeng/batch/%00/status'],
    ['POST', '/api/v1/jimeng/batch/%00/retry'],
    ['POST', '/api/v1/jimeng/batch/%00/cancel'],
    ['GET', '/api/v1/generate/status/%00'],
    ['GET', '/api/v1/history/%00'],
    ['DELETE', '/api/v1/history/%00'],
  ];

  it.each(nulPaths)('%s %s (NUL in the path) is a 400 in its family envelope', async (method, path) => {
    const answer = await rawRequest(system.baseUrl, method, path, {
      ...staff(),
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(400);
    if (
      path.startsWith('/api/v1/jimeng') ||
      path.startsWith('/api/v1/generate') ||
      path.startsWith('/api/v1/history')
    )
      expect(answer.body).toEqual({ code: 400, message: 'path contains a NUL character' });
    else expect(answer.body).toEqual({ detail: 'path contains a NUL character' });
  });

  it('malformed percent-encoding, encoded surrogates and NUL in the query string are 400s too', async () => {
    for (const path of [
      '/api/v1/characters/%E0%A4%A',
      '/api/v1/conversation/%ED%A0%80',
      '/api/v1/stories/%',
    ]) {
      const answer = await rawRequest(system.baseUrl, 'GET', path, staff());
      expect(answer.status, path).toBe(400);
      expect(answer.body).toEqual({ detail: 'path has malformed percent-encoding' });
    }
    const query = await rawRequest(system.baseUrl, 'GET', '/api/v1/history/search?keyword=a%00b', staff());
    expect(query).toMatchObject({
      status: 400,
      body: { code: 400, message: 'query.keyword contains a NUL character' },
    });
    const key = await rawRequest(system.baseUrl, 'GET', '/api/anime-generation/history?x%00=1', staff());
    expect(key.status).toBe(400);
    expect(key.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    // Media and the admin's static files are behind the same check.
    expect((await rawRequest(system.baseUrl, 'GET', '/media/%00.png')).status).toBe(400);
  });

  const nulBodies: Array<[string, () => Record<string, unknown>, 'openai' | 'story' | 'jimeng']> = [
    ['/api/v1/llm/chat/completions', () => ({ model_id: `sandbox-chat${NUL}`, messages: [] }), 'openai'],
    [
      '/api/v1/ai/i2t/chat/completions',
      () => ({ model_id: `vision-1${NUL}`, messages: [{ role: 'user', content: 'hi' }] }),
      'openai',
    ],
    ['/api/v1/ai/t2i/submit', () => ({ model_id: `jimeng-4.5${NUL}`, prompt: 'a fox' }), 'story'],
    ['/api/v1/character-avatar/generate', () => ({ character_description: `a fox${NUL}` }), 'story'],
    [
      '/api/v1/llm/generate/story-background-image',
      () => ({ background_description: `rain${NUL}` }),
      'story',
    ],
    ['/api/v1/characters', () => ({ name: `Mira${LONE_SURROGATE}` }), 'story'],
    [
      '/api/v1/jimeng/images/batch-generate',
      () => ({ work_id: `w${NUL}`, batch_data: [{ storyboard_id: 'sb-1', prompt: 'rain' }] }),
      'jimeng',
    ],
  ];

  it.each(nulBodies)(
    'POST %s with NUL or a lone surrogate in a JSON string is a 400, nothing stored',
    async (path, body, family) => {
      const before = await system.core.models.GenerationTask.count();
      const answer = await api(system.baseUrl, 'POST', path, {
        headers: path.includes('jimeng') ? staff() : { authorization: `Bearer ${member}` },
        body: body(),
      });
      expect(answer.status).toBe(400);
      if (family === 'openai') expect(answer.body.error.code).toBe('validation_error');
      if (family === 'story')
        expect(answer.body.detail).toMatch(
          /^body\.\w+ contains (a NUL character|an unpaired UTF-16 surrogate)$/,
        );
      if (family === 'jimeng')
        expect(answer.body).toEqual({ code: 400, message: 'body.work_id contains a NUL character' });
      expect(await system.core.models.GenerationTask.count()).toBe(before);
    },
  );

  it('keys with NUL, values deep in arrays and nesting past 32 levels are refused too', async () => {
    const headers = { authorization: `Bearer ${member}` };
    const key = await api(system.baseUrl, 'POST', '/api/v1/stories', {
      headers,
      body: { title: 't', setting: { [`a${NUL}`]: 1 } },
    });
    expect(key).toMatchObject({
      status: 400,
      body: { detail: 'body.setting has a key containing a NUL character' },
    });
    const deep = await api(system.baseUrl, 'POST', '/api/v1/stories', {
      headers,
      body: { title: 't', setting: { list: [[['ok', `x${NUL}`]]] } },
    });
    expect(deep.body).toEqual({ detail: 'body.setting.list.0.0.1 contains a NUL character' });
    // 100,000 levels, as text: JSON.stringify itself would overflow building it.
    const nested = `${'{"n":'.repeat(100_000)}"bottom"${'}'.repeat(100_000)}`;
    const tooDeep = await api(system.baseUrl, 'POST', '/api/v1/stories', {
      headers,
      body: `{"title":"t","setting":${nested}}`,
    });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.detail).toMatch(/nested deeper than 32 levels/);
    // Emoji, RTL marks and other valid code points are ordinary text.
    const fine = await api(system.baseUrl, 'POST', '/api/v1/stories', {
      headers,
      body: { title: '🦊 \u202Eevil\u202C 狐', setting: { note: '\uFFFF' } },
    });
    expect(fine.status).toBe(201);
  });

  it('the generate-response fast path applies the same check (and the same envelope)', async () => {
    const answer = await fetch(`${system.baseUrl}/api/v1/story_chat/generate-response`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member}`, 'content-type': 'application/json' },
      body: JSON.stringify({ character_id: '1', conversation_id: '2', user_message: `hi${NUL}` }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ detail: 'body.user_message contains a NUL character' });
  });

  it('ids are checked by type before any query: story 400, Jimeng 400, NanoBanana its documented 404', async () => {
    const story = await api(
      system.baseUrl,
      'GET',
      `/api/v1/characters/${encodeURIComponent("1' OR '1'='1")}`,
      {
        token: member,
      },
    );
    expect(story.status).toBe(400);
    expect(story.body.detail).toMatch(/^params\.id: expected an id/);
    const long = await api(system.baseUrl, 'GET', `/api/v1/stories/${'9'.repeat(65)}`, { token: member });
    expect(long.status).toBe(400);
    const t2i = await api(system.baseUrl, 'GET', '/api/v1/ai/t2i/status/12345', { token: member });
    expect(t2i.status).toBe(400);
    const batch = await api(system.baseUrl, 'GET', '/api/v1/jimeng/batch/-1/status', { headers: staff() });
    expect(batch).toMatchObject({ status: 400, body: { code: 400 } });
    expect(
      await api(system.baseUrl, 'GET', '/api/v1/generate/status/1e309', { headers: staff() }),
    ).toMatchObject({ status: 404, body: { code: 404, message: '任务不存在' } });
    expect(await api(system.baseUrl, 'DELETE', '/api/v1/history/abc', { headers: staff() })).toMatchObject({
      status: 404,
      body: { code: 404, message: '记录不存在' },
    });
    expect(await api(system.baseUrl, 'DELETE', '/api/v1/images/abc', { headers: staff() })).toMatchObject({
      status: 404,
      body: { code: 404, message: '图片不存在' },
    });
    // DELETE bodies skip the body parser; NanoBanana's own reader applies the check.
    expect(
      await api(system.baseUrl, 'DELETE', '/api/v1/history/batch', {
        headers: staff(),
        body: { ids: [`a${NUL}`] },
      }),
    ).toMatchObject({ status: 400, body: { code: 400, message: 'body.ids.0 contains a NUL character' } });
  });

  it('socket.io rooms with hostile ids are refused like unknown rooms, never an internal error', async () => {
    const socket = await connectSocket(system.baseUrl, { token: member });
    try {
      for (const room of [
        `task:${NUL}`,
        `conversation:${NUL}`,
        `batch:${NUL}`,
        `task:${LONE_SURROGATE}`,
        "conversation:' OR '1'='1",
        'batch:../../etc/passwd',
        `task:${'x'.repeat(10_000)}`,
      ]) {
        const answer = await subscribe(socket, room);
        expect(answer, room).toEqual({
          ok: false,
          error: { code: 'FORBIDDEN', message: 'You cannot join this room' },
        });
      }
    } finally {
      socket.disconnect();
    }
  });

  it("the bots' platform headers with NUL (percent-encoded, as the bots send names) are a 400 and create no member", async () => {
    const users = async () => system.core.models.User.count();
    const before = await users();
    for (const [header, value] of [
      ['x-platform-username', '%00evil'],
      ['x-platform-username', 'Aiko%00%00'],
      ['x-platform-user-id', '1%00'],
    ] as const) {
      const answer = await rawRequest(system.baseUrl, 'GET', '/api/generation/credits', {
        ...botHeaders(system.botToken, 'telegram', '424242'),
        [header]: value,
      });
      expect(answer.status, `${header}: ${value}`).toBe(400);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    }
    expect(await users()).toBe(before);
  });

  it('a character card whose text holds NUL is a 400 and stores nothing', async () => {
    const count = async () => system.core.story.models.Character.count();
    const before = await count();
    for (const card of [
      { name: `Evil${NUL}`, description: 'x' },
      { spec: 'chara_card_v2', data: { name: 'Ok', description: `desc${NUL}`, personality: 'p' } },
    ]) {
      const form = new FormData();
      form.append('file', new Blob([JSON.stringify(card)]), 'card.json');
      const answer = await fetch(`${system.baseUrl}/api/v1/characters/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${member}` },
        body: form,
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({ detail: expect.stringContaining('NUL') });
    }
    expect(await count()).toBe(before);
  });

  it("a fuzz finding: renaming an AI model onto another model's llm_id is a 409, not a constraint failure", async () => {
    const models = await api(system.baseUrl, 'GET', '/api/v1/story-admin/ai-models', { headers: staff() });
    const [first, second] = models.body as Array<{ id: string; llm_id: string }>;
    const renamed = await api(system.baseUrl, 'PUT', `/api/v1/story-admin/ai-models/${first.id}`, {
      headers: staff(),
      body: { llm_id: second.llm_id },
    });
    expect(renamed).toMatchObject({ status: 409, body: { detail: `Model ${second.llm_id} already exists` } });
    const same = await api(system.baseUrl, 'PUT', `/api/v1/story-admin/ai-models/${first.id}`, {
      headers: staff(),
      body: { llm_id: first.llm_id },
    });
    expect(same.status).toBe(200);
  });
});

describe('CORS for the public APIs (CORS_ORIGINS)', () => {
  const allowed = 'https://app.example.com';
  const refused = 'https://evil.example.net';
  let system: RunningSystem;
  let member: string;

  beforeAll(async () => {
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      env: { CORS_ORIGINS: `${allowed}, http://localhost:3000` },
    });
    member = (await walletLogin(system)).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  const preflight = (origin: string, path: string, method = 'POST') =>
    fetch(`${system.baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers a preflight from an allowed origin, and none from another', async () => {
    const ok = await preflight(allowed, '/api/v1/generate/batch');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    const no = await preflight(refused, '/api/v1/generate/batch');
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the actual request carries the header for an allowed origin only, errors included; /admin stays same-origin', async () => {
    const ok = await fetch(`${system.baseUrl}/api/v1/health`, { headers: { origin: allowed } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const unauthorised = await fetch(`${system.baseUrl}/api/v1/history`, { headers: { origin: allowed } });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('access-control-allow-origin')).toBe(allowed);
    const no = await fetch(`${system.baseUrl}/api/v1/health`, { headers: { origin: refused } });
    expect(no.status).toBe(200);
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
    const admin = await preflight(allowed, '/admin/');
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
    const adminGet = await fetch(`${system.baseUrl}/admin/`, { headers: { origin: allowed } });
    expect(adminGet.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('generate-response: preflight through Koa, the streamed POST through the fast path, both with the header', async () => {
    const path = '/api/v1/story_chat/generate-response';
    const ok = await preflight(allowed, path);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    const stories = await api(system.baseUrl, 'GET', '/api/v1/story/published', { token: member });
    const characterId = stories.body[0].characterDetails[0].id as string;
    const post = (origin: string, body: Record<string, unknown>) =>
      fetch(`${system.baseUrl}${path}`, {
        method: 'POST',
        headers: { origin, authorization: `Bearer ${member}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const reply = {
      character_id: characterId,
      user_message: 'hello',
      history_messages: [],
      is_first_response: true,
    };
    const streamed = await post(allowed, reply);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(streamed.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(streamed.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    expect(streamed.headers.get('vary')).toMatch(/origin/i);
    expect(await streamed.text()).toContain('[DONE]');
    // The fast path's own error answers carry it too.
    const refusedBody = await post(allowed, { ...reply, user_message: 42 });
    expect(refusedBody.status).toBe(400);
    expect(refusedBody.headers.get('access-control-allow-origin')).toBe(allowed);
    await refusedBody.arrayBuffer();
    const other = await post(refused, reply);
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await other.arrayBuffer();
  });
});
