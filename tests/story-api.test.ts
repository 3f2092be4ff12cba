import OpenAI from 'openai';
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders, connectSocket, subscribe } from './support/clients.js';
import { postSse, readSse, walletLogin } from './support/story.js';

/**
 * Contract 002 end to end on SQLite and MariaDB: wallet login, the OpenAI-compatible endpoint (with the
 * official SDK), catalogs, characters, stories, conversations and the SSE reply stream.
 */
describe.each(['sqlite', 'mariadb'] as const)('contract 002 story API on %s', (db) => {
  let system: RunningSystem;
  let token: string;

  beforeAll(async () => {
    system = await startSystem({ db });
    system.sandbox.state.updateSettings({ chatFirstTokenMs: 5, chatChunkIntervalMs: 2 });
    token = (await walletLogin(system)).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  describe('wallet login', () => {
    it('logs in with a real signature, returns the live token again, and refuses a replayed nonce', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const first = await walletLogin(system, account);
      expect(first.token).toMatch(/^paw_/);
      expect(first.login.wallet_address).toBe(account.address);
      const ttl = new Date(first.login.expires_at).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(71.9 * 3_600_000);
      expect(ttl).toBeLessThanOrEqual(72 * 3_600_000);
      expect(first.challenge.message).toContain(`Nonce: ${first.challenge.nonce}`);

      // Replaying the same signature: the nonce was consumed.
      const replay = await api(system.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { wallet_address: account.address, signature: first.signature },
      });
      expect(replay.status).toBe(401);
      expect(replay.body.detail).toMatch(/challenge/);

      // A new login while the token lives returns the same token.
      const second = await walletLogin(system, account);
      expect(second.token).toBe(first.token);

      const me = await api(system.baseUrl, 'GET', '/api/v1/characters/list', { token: first.token });
      expect(me.status).toBe(200);
    });

    it('refuses a signature by another key and a signature of another message', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const intruder = privateKeyToAccount(generatePrivateKey());
      const challenge = await api(system.baseUrl, 'POST', '/api/v1/auth/nonce', {
        body: { wallet_address: account.address },
      });
      const forged = await intruder.signMessage({ message: challenge.body.message });
      const refused = await api(system.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { wallet_address: account.address, signature: forged },
      });
      expect(refused.status).toBe(401);
      await api(system.baseUrl, 'POST', '/api/v1/auth/nonce', { body: { wallet_address: account.address } });
      const wrongMessage = await account.signMessage({ message: 'something else' });
      const refused2 = await api(system.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { wallet_address: account.address, signature: wrongMessage },
      });
      expect(refused2.status).toBe(401);
    });

    it('logout rotates the token; an expired token is refused and the next login issues a new one', async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const first = await walletLogin(system, account);
      const out = await api(system.baseUrl, 'POST', '/api/v1/auth/logout', { token: first.token });
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ message: 'Successfully logged out' });
      expect((await api(system.baseUrl, 'GET', '/api/v1/languages', { token: first.token })).status).toBe(
        401,
      );
      const second = await walletLogin(system, account);
      expect(second.token).not.toBe(first.token);
      expect((await api(system.baseUrl, 'GET', '/api/v1/languages', { token: second.token })).status).toBe(
        200,
      );

      // Expire it in the database (3 days pass).
      const past = new Date(Date.now() - 1000);
      await system.core.models.AccessToken.update({ expires_at: past }, { where: { kind: 'paw' } });
      await system.core.story.models.PawSession.update({ expires_at: past }, { where: {} });
      // Nodes remember resolved tokens until they expire or a writer announces a change (issue 14);
      // this direct database edit stands in for time passing, so it announces itself as writers do.
      const holders = await system.core.models.AccessToken.findAll({ where: { kind: 'paw' } });
      await system.core.identity.usersChanged([...new Set(holders.map((holder) => holder.user_id))]);
      const expired = await api(system.baseUrl, 'GET', '/api/v1/languages', { token: second.token });
      expect(expired.status).toBe(401);
      expect(expired.body.detail).toBeTruthy();
      const third = await walletLogin(system, account);
      expect(third.token).not.toBe(second.token);
      token = (await walletLogin(system)).token;
    });
  });

  describe('linking a wallet to a bot member', () => {
    it('a Discord member links a wallet; logging in with it is the same user', async () => {
      const member = botHeaders(system.botToken, 'discord', `4${Date.now()}`.slice(0, 18));
      const created = await api(system.baseUrl, 'POST', '/api/v1/characters', {
        headers: member,
        body: { name: 'Linked Lark' },
      });
      expect(created.status).toBe(201);
      const account = privateKeyToAccount(generatePrivateKey());
      const challenge = await api(system.baseUrl, 'POST', '/api/v1/auth/nonce', {
        body: { wallet_address: account.address },
      });
      const signature = await account.signMessage({ message: challenge.body.message });
      const linked = await api(system.baseUrl, 'POST', '/api/v1/auth/link-wallet', {
        headers: member,
        body: { wallet_address: account.address, signature },
      });
      expect(linked.body).toEqual({ wallet_address: account.address, linked: true });
      const { token: walletToken } = await walletLogin(system, account);
      const mine = await api(system.baseUrl, 'GET', '/api/v1/characters/list', { token: walletToken });
      expect(mine.body.map((c: { name: string }) => c.name)).toEqual(['Linked Lark']);

      // The same wallet cannot be linked to someone else.
      const other = botHeaders(system.botToken, 'telegram', `9${Date.now()}`.slice(0, 12));
      const again = await api(system.baseUrl, 'POST', '/api/v1/auth/nonce', {
        body: { wallet_address: account.address },
      });
      const refused = await api(system.baseUrl, 'POST', '/api/v1/auth/link-wallet', {
        headers: other,
        body: {
          wallet_address: account.address,
          signature: await account.signMessage({ message: again.body.message }),
        },
      });
      expect(refused.status).toBe(409);
    });
  });

  describe('OpenAI-compatible /llm/chat/completions with the official SDK', () => {
    const client = () =>
      new OpenAI({ baseURL: `${system.baseUrl}/api/v1/llm`, apiKey: token, maxRetries: 0 });

    it('answers without streaming', async () => {
      const answer = await client().chat.completions.create({
        model: 'sandbox-chat',
        messages: [
          { role: 'system', content: 'You are helpful.' },
          { role: 'user', content: 'Introduce yourself' },
        ],
      });
      expect(answer.object).toBe('chat.completion');
      expect(answer.model).toBe('sandbox-chat');
      expect(answer.choices[0].message.content!.length).toBeGreaterThan(0);
      expect(answer.choices[0].finish_reason).toBe('stop');
      expect(answer.usage!.total_tokens).toBeGreaterThan(0);
    });

    it('streams chunks and ends with a stop chunk', async () => {
      const stream = await client().chat.completions.create({
        model: 'sandbox-chat',
        messages: [{ role: 'user', content: 'Tell me a short story' }],
        stream: true,
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
      const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
      expect(text.length).toBeGreaterThan(10);
    });

    it('accepts the contract body (model_id) and answers the documented errors', async () => {
      const raw = await api(system.baseUrl, 'POST', '/api/v1/llm/chat/completions', {
        token,
        body: { model_id: 'sandbox-chat', messages: [{ role: 'user', content: 'hi' }], stream: false },
      });
      expect(raw.status).toBe(200);
      expect(raw.body.object).toBe('chat.completion');

      const unknown = await api(system.baseUrl, 'POST', '/api/v1/llm/chat/completions', {
        token,
        body: { model_id: 'nope', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({
        error: { code: 'invalid_model', message: "The model 'nope' does not exist or is not available." },
      });
      const anonymous = await api(system.baseUrl, 'POST', '/api/v1/llm/chat/completions', {
        token: 'paw_invalid',
        body: { model_id: 'sandbox-chat', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      await expect(
        client().chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({ status: 400, code: 'invalid_model' });
    });

    it('fails over to another chat model when the first one fails', async () => {
      system.sandbox.state.injectFault({ provider: 'openai', kind: 'server-error' });
      const answer = await client().chat.completions.create({
        model: 'sandbox-chat',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(answer.choices[0].message.content!.length).toBeGreaterThan(0);
    });
  });

  describe('AI models', () => {
    it('lists models by type and hands out different idle models to two callers at once', async () => {
      const list = await api(system.baseUrl, 'GET', '/api/v1/ai/models?type=chat', { token });
      expect(list.status).toBe(200);
      expect(list.body.map((m: any) => m.llm_id).sort()).toEqual(['gpt-4o-mini', 'sandbox-chat']);
      expect(list.body[0]).not.toHaveProperty('api_key_enc');
      const [one, two] = await Promise.all([
        api(system.baseUrl, 'GET', '/api/v1/ai/models/least-used/chat', { token }),
        api(system.baseUrl, 'GET', '/api/v1/ai/models/least-used/chat', { token }),
      ]);
      expect(one.status).toBe(200);
      expect(two.status).toBe(200);
      expect(one.body.llm_id).not.toBe(two.body.llm_id);
      const bad = await api(system.baseUrl, 'GET', '/api/v1/ai/models/least-used/video', { token });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toBeTruthy();
    });
  });

  describe('catalogs', () => {
    const admin = () => system.admin.token;

    it('system prompt posts: create 201, list, get, update, delete 204; users cannot write', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/system-prompt-posts', {
        token: admin(),
        body: { content: 'Stay in character.' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ content: 'Stay in character.' });
      expect(Object.keys(created.body).sort()).toEqual(['content', 'created_at', 'id']);
      const list = await api(system.baseUrl, 'GET', '/api/v1/system-prompt-posts?page=1&limit=10', { token });
      expect(list.body.total).toBeGreaterThanOrEqual(1);
      expect(list.body.items[0].id).toBe(created.body.id);
      const got = await api(system.baseUrl, 'GET', `/api/v1/system-prompt-posts/${created.body.id}`, {
        token,
      });
      expect(got.body.content).toBe('Stay in character.');
      const updated = await api(system.baseUrl, 'PUT', `/api/v1/system-prompt-posts/${created.body.id}`, {
        token: admin(),
        body: { content: 'Never break character.' },
      });
      expect(updated.body.content).toBe('Never break character.');
      const forbidden = await api(system.baseUrl, 'POST', '/api/v1/system-prompt-posts', {
        token,
        body: { content: 'x' },
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.detail).toBeTruthy();
      const extra = await api(system.baseUrl, 'POST', '/api/v1/system-prompt-posts', {
        token: admin(),
        body: { content: 'temporary' },
      });
      const deleted = await api(system.baseUrl, 'DELETE', `/api/v1/system-prompt-posts/${extra.body.id}`, {
        token: admin(),
      });
      expect(deleted.status).toBe(204);
      const gone = await api(system.baseUrl, 'GET', `/api/v1/system-prompt-posts/${extra.body.id}`, {
        token,
      });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ detail: 'Post not found' });
    });

    it('languages CRUD', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/languages', {
        token: admin(),
        body: { language: '日本語' },
      });
      expect(created.status).toBe(201);
      expect(created.body.language).toBe('日本語');
      const all = await api(system.baseUrl, 'GET', '/api/v1/languages', { token });
      expect(all.body.map((l: any) => l.language)).toContain('日本語');
      // The demo data already has English and 中文: names are unique (409, see the fidelity test).
      const renamed = await api(system.baseUrl, 'PUT', `/api/v1/languages/${created.body.id}`, {
        token: admin(),
        body: { language: 'Français' },
      });
      expect(renamed.body).toMatchObject({ id: created.body.id, language: 'Français' });
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/languages/${created.body.id}`, { token })).body.language,
      ).toBe('Français');
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/languages/${created.body.id}`, { token: admin() }))
          .status,
      ).toBe(204);
    });

    it('story templates CRUD with status filter', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/story-templates', {
        token: admin(),
        body: {
          id: 'duo-only',
          name: 'Duo',
          thumbnail: 'http://x/t.png',
          introduction: 'Two characters',
          components: [{ type: 'title' }],
          maxCharacters: 2,
          hiddenPrompt: 'Keep it light.',
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'duo-only',
        maxCharacters: 2,
        hiddenPrompt: 'Keep it light.',
      });
      const duplicate = await api(system.baseUrl, 'POST', '/api/v1/story-templates', {
        token: admin(),
        body: { id: 'duo-only', name: 'Again' },
      });
      expect(duplicate.status).toBe(409);
      const updated = await api(system.baseUrl, 'PUT', '/api/v1/story-templates/duo-only', {
        token: admin(),
        body: { name: 'Duo!', status: 'active' },
      });
      expect(updated.body.name).toBe('Duo!');
      const active = await api(system.baseUrl, 'GET', '/api/v1/story-templates?status=active', { token });
      expect(active.body.map((t: any) => t.id)).toContain('duo-only');
      const inactive = await api(system.baseUrl, 'GET', '/api/v1/story-templates?status=inactive', { token });
      expect(inactive.body.map((t: any) => t.id)).not.toContain('duo-only');
      expect(
        (await api(system.baseUrl, 'GET', '/api/v1/story-templates/duo-only', { token })).body.name,
      ).toBe('Duo!');
      await api(system.baseUrl, 'POST', '/api/v1/story-templates', {
        token: admin(),
        body: { id: 'tmp-template', name: 'Temp' },
      });
      expect(
        (await api(system.baseUrl, 'DELETE', '/api/v1/story-templates/tmp-template', { token: admin() }))
          .status,
      ).toBe(204);
    });

    it('music and music types', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/music', {
        token: admin(),
        body: { name: 'Rainy cafe', url: 'http://x/rain.mp3', type: 'calm' },
      });
      expect(created.status).toBe(201);
      await api(system.baseUrl, 'POST', '/api/v1/music', {
        token: admin(),
        body: { name: 'Battle', url: 'http://x/battle.mp3', type: 'epic' },
      });
      const types = await api(system.baseUrl, 'GET', '/api/v1/music/types', { token });
      expect(types.body.map((t: any) => t.name)).toEqual(expect.arrayContaining(['calm', 'epic']));
      const calm = await api(system.baseUrl, 'GET', '/api/v1/music?type=calm', { token });
      expect(calm.body.map((m: any) => m.name)).toEqual(['Rainy cafe']);
      const got = await api(system.baseUrl, 'GET', `/api/v1/music/${created.body.id}`, { token });
      expect(got.body).toMatchObject({ name: 'Rainy cafe', url: 'http://x/rain.mp3', type: 'calm' });
      const updated = await api(system.baseUrl, 'PUT', `/api/v1/music/${created.body.id}`, {
        token: admin(),
        body: { name: 'Rainy night' },
      });
      expect(updated.body.name).toBe('Rainy night');
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/music/${created.body.id}`, { token: admin() })).status,
      ).toBe(204);
      expect((await api(system.baseUrl, 'GET', `/api/v1/music/${created.body.id}`, { token })).status).toBe(
        404,
      );
    });

    it('art styles with status filter, and prompt templates by type', async () => {
      await api(system.baseUrl, 'POST', '/api/v1/art-styles', {
        token: admin(),
        body: { name: 'Watercolor', keyword: 'watercolor, soft', status: 'active' },
      });
      await api(system.baseUrl, 'POST', '/api/v1/art-styles', {
        token: admin(),
        body: { name: 'Old', keyword: 'old', status: 'inactive' },
      });
      const active = await api(system.baseUrl, 'GET', '/api/v1/art-styles?status=active', { token });
      expect(active.body.map((s: any) => s.name)).toContain('Watercolor');
      expect(active.body.map((s: any) => s.name)).not.toContain('Old');
      const all = await api(system.baseUrl, 'GET', '/api/v1/art-styles', { token });
      expect(all.body.map((s: any) => s.name)).toContain('Old');

      const template = await api(system.baseUrl, 'POST', '/api/v1/story-admin/prompt-templates', {
        token: admin(),
        body: { type: 't2i_character', name: 'Avatar', content: 'Write an anime avatar prompt.' },
      });
      expect(template.status).toBe(201);
      const byType = await api(system.baseUrl, 'GET', '/api/v1/prompt-templates/t2i_character', { token });
      expect(byType.body).toMatchObject({ type: 't2i_character', content: 'Write an anime avatar prompt.' });
      expect((await api(system.baseUrl, 'GET', '/api/v1/prompt-templates/none', { token })).status).toBe(404);
    });
  });

  describe('characters, stories and conversations', () => {
    let alice: any;
    let bob: any;
    let narrator: any;

    it('characters CRUD is owner-only; the narrator is shared', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/characters', {
        token,
        body: { name: 'Alice', avatar: 'http://x/a.png', personality: 'curious', background: 'a baker' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Alice', avatar: 'http://x/a.png', personality: 'curious' });
      alice = created.body;
      bob = (
        await api(system.baseUrl, 'POST', '/api/v1/character-avatar/create', {
          token,
          body: {
            character_name: 'Bob',
            character_description: 'a knight',
            personality: 'brave',
            language: 'English',
            image_url: 'http://x/b.png',
            icon_url: 'http://x/b-icon.png',
          },
        })
      ).body;
      expect(bob).toMatchObject({
        name: 'Bob',
        image_url: 'http://x/b.png',
        icon_url: 'http://x/b-icon.png',
      });
      narrator = (await api(system.baseUrl, 'GET', '/api/v1/narrator', { token })).body;
      expect(narrator.character_type).toBe('narrator');
      expect((await api(system.baseUrl, 'GET', '/api/v1/narrator', { token })).body.id).toBe(narrator.id);

      const list = await api(system.baseUrl, 'GET', '/api/v1/characters?page=1&limit=10', { token });
      expect(list.body.total).toBe(2);
      const mine = await api(system.baseUrl, 'GET', '/api/v1/characters/list', { token });
      expect(mine.body.map((c: any) => c.name).sort()).toEqual(['Alice', 'Bob']);
      const updated = await api(system.baseUrl, 'PUT', `/api/v1/characters/${alice.id}`, {
        token,
        body: { personality: 'curious and kind' },
      });
      expect(updated.body.personality).toBe('curious and kind');

      // Members' characters are private: to another member Alice does not exist (404, not 403).
      const other = (await walletLogin(system)).token;
      expect(alice.is_public).toBe(false);
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/characters/${alice.id}`, { token: other })).status,
      ).toBe(404);
      const theirs = await api(system.baseUrl, 'PUT', `/api/v1/characters/${alice.id}`, {
        token: other,
        body: { name: 'Mallory' },
      });
      expect(theirs.status).toBe(404);
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/characters/${alice.id}`, { token: other })).status,
      ).toBe(404);
      const temp = await api(system.baseUrl, 'POST', '/api/v1/characters', { token, body: { name: 'Temp' } });
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/characters/${temp.body.id}`, { token })).status,
      ).toBe(204);
      expect((await api(system.baseUrl, 'GET', `/api/v1/characters/${temp.body.id}`, { token })).status).toBe(
        404,
      );
    });

    it('stories CRUD', async () => {
      const created = await api(system.baseUrl, 'POST', '/api/v1/stories', {
        token,
        body: {
          title: '晚餐约会',
          setting: {
            config: { model: 'sandbox-chat', temperature: 1.5, history_length: 25, summary_length: 200 },
            background: '在高级西餐厅的约会',
            character_ids: [alice.id, bob.id],
            opening_messages: [{ content: '在这个温馨的夜晚...', character_id: alice.id }],
            character_background: '现在我在高级西餐厅...',
          },
        },
      });
      expect(created.status).toBe(201);
      expect(created.body.title).toBe('晚餐约会');
      expect(created.body.setting.background).toBe('在高级西餐厅的约会');
      const list = await api(system.baseUrl, 'GET', '/api/v1/stories?page=1&limit=10', { token });
      expect(list.body.total).toBe(1);
      const renamed = await api(system.baseUrl, 'PUT', `/api/v1/stories/${created.body.id}`, {
        token,
        body: { title: '新标题' },
      });
      expect(renamed.body.title).toBe('新标题');
      expect(renamed.body.updated_at).toBeTruthy();
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/stories/${created.body.id}`, { token })).body.title,
      ).toBe('新标题');
      const unknownCast = await api(system.baseUrl, 'POST', '/api/v1/stories', {
        token,
        body: { title: 'x', setting: { character_ids: ['999'] } },
      });
      expect(unknownCast.status).toBe(400);
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/stories/${created.body.id}`, { token })).status,
      ).toBe(204);
    });

    it('publishes a story (maxCharacters enforced), lists it unstarted, and chats in it', async () => {
      const tooMany = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: {
          template_id: 'duo-only',
          characters: [
            alice.id,
            bob.id,
            (
              await api(system.baseUrl, 'POST', '/api/v1/characters', {
                token,
                body: { name: 'Cleo' },
              })
            ).body.id,
          ],
          story_name: 'Crowded',
        },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.detail).toMatch(/at most 2/);

      const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token,
        body: {
          template_id: 'duo-only',
          template_content: 'Title: My Story\nContent: Once upon a time...',
          characters: [alice.id, bob.id, narrator.id],
          bg_image_url: 'http://example.com/bg.jpg',
          story_name: 'My Adventure',
          opening_messages: [{ content: 'Hello everyone!', character: alice.id }],
          settings: { components: '...' },
          language: 'en',
        },
      });
      expect(published.status).toBe(200);
      const storyId = published.body.id;
      expect(Object.keys(published.body)).toEqual(['id']);

      const player = await walletLogin(system);
      const unstarted = await api(
        system.baseUrl,
        'GET',
        '/api/v1/story/get_unstarted_stories?page=1&limit=10',
        {
          token: player.token,
        },
      );
      expect(unstarted.status).toBe(200);
      const entry = unstarted.body.find((s: any) => s.id === storyId);
      expect(entry).toMatchObject({
        title: 'My Adventure',
        messages: ['Hello everyone!'],
        background: 'http://example.com/bg.jpg',
        characters: 3,
        avatar_url: 'http://x/a.png',
        likes: '0',
        comments_count: '0',
      });
      expect(entry.characterDetails.map((c: any) => c.name)).toEqual(['Alice', 'Bob', 'Narrator']);
      expect(entry.characterDetails[2].character_type).toBe('narrator');

      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/conversation/${storyId}`, { token: player.token })).body,
      ).toEqual({ conversation_id: null });
      const conversation = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
        token: player.token,
        body: { story_id: storyId },
      });
      expect(conversation.status).toBe(200);
      expect(conversation.body).toMatchObject({ story_id: storyId, status: 'active' });
      expect(conversation.body.last_message_id).toBeTruthy();
      const conversationId = conversation.body.id;
      expect(
        (await api(system.baseUrl, 'GET', `/api/v1/conversation/${storyId}`, { token: player.token })).body,
      ).toEqual({ conversation_id: conversationId });
      const after = await api(system.baseUrl, 'GET', '/api/v1/story/get_unstarted_stories', {
        token: player.token,
      });
      expect(after.body.map((s: any) => s.id)).not.toContain(storyId);

      // Socket.io room of the conversation: participants only.
      const socket = await connectSocket(system.baseUrl, { token: player.token });
      const seen: string[] = [];
      for (const name of ['message.start', 'message.delta', 'message.end'])
        socket.on(name, () => seen.push(name));
      expect(await subscribe(socket, `conversation:${conversationId}`)).toEqual({ ok: true });
      const outsider = await connectSocket(system.baseUrl, { token: (await walletLogin(system)).token });
      expect((await subscribe(outsider, `conversation:${conversationId}`)).ok).toBe(false);
      outsider.disconnect();

      const response = await postSse(system, '/api/v1/story_chat/generate-response', player.token, {
        history_length: 25,
        character_id: bob.id,
        user_message: 'Bob, what are you up to?',
        history_messages: [],
        conversation_id: conversationId,
        last_message_id: conversation.body.last_message_id,
        is_first_response: true,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const events = await readSse(response);
      expect(events[0].event).toBe('start');
      expect(JSON.parse(events[0].data)).toMatchObject({ character_id: bob.id, character_name: 'Bob' });
      const deltas = events.filter((e) => e.event === 'message' && e.data !== '[DONE]');
      expect(deltas.length).toBeGreaterThan(1);
      const end = JSON.parse(events.find((e) => e.event === 'end')!.data);
      expect(end.content).toBe(deltas.map((d) => JSON.parse(d.data).content).join(''));
      expect(events.at(-1)!.data).toBe('[DONE]');

      const history = await api(system.baseUrl, 'POST', '/api/v1/story_chat/history-messages', {
        token: player.token,
        body: {
          conversation_id: conversationId,
          last_message_time: new Date(Date.now() + 60_000).toISOString(),
        },
      });
      expect(history.status).toBe(200);
      expect(history.body.map((m: any) => [m.role, m.sequence, m.is_opening])).toEqual([
        ['assistant', 1, true],
        ['user', 2, false],
        ['assistant', 3, false],
      ]);
      expect(history.body[2]).toMatchObject({
        character_id: bob.id,
        character_name: 'Bob',
        content: end.content,
      });
      const older = await api(
        system.baseUrl,
        'GET',
        `/api/v1/story_chat/history-messages?conversation_id=${conversationId}&last_message_id=${end.id}`,
        { token: player.token },
      );
      expect(older.body.map((m: any) => m.sequence)).toEqual([1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toContain('message.start');
      expect(seen).toContain('message.delta');
      expect(seen).toContain('message.end');
      socket.disconnect();

      const strangers = await api(system.baseUrl, 'POST', '/api/v1/story_chat/history-messages', {
        token: (await walletLogin(system)).token,
        body: { conversation_id: conversationId },
      });
      expect(strangers.status).toBe(404);

      // A whole turn through the turn endpoint: mention picks the speaker.
      const turn = await readSse(
        await postSse(system, '/api/v1/story_chat/turn', player.token, {
          conversation_id: conversationId,
          content: 'Alice, do you like it here?',
        }),
      );
      expect(JSON.parse(turn[0].data).speakers.map((s: any) => s.name)).toEqual(['Alice']);
      expect(turn.at(-1)!.data).toBe('[DONE]');

      // Regenerate keeps the earlier version.
      const regen = await readSse(
        await postSse(system, '/api/v1/story_chat/regenerate', player.token, {
          conversation_id: conversationId,
        }),
      );
      const regenerated = JSON.parse(regen.find((e) => e.event === 'end')!.data);
      expect(regenerated.swipes).toHaveLength(1);
    });

    it('select-speakers: mentions, then a validated LLM pick', async () => {
      const mention = await api(system.baseUrl, 'POST', '/api/v1/story_chat/select-speakers', {
        token,
        body: {
          history_length: 25,
          user_message: '小静，你呢？',
          history_messages: [{ role: 'user', content: '我们开始聊天吧' }],
          character_names: ['旁白', '小惠', '小静'],
        },
      });
      expect(mention.body).toEqual({ speakers: ['小静'] });
      const open = await api(system.baseUrl, 'POST', '/api/v1/story_chat/select-speakers', {
        token,
        body: {
          user_message: '你好，大家今天过得怎么样？',
          history_messages: [
            { role: 'narrator', content: '阳光明媚的下午' },
            { role: 'character', character_name: '小惠', content: '今天天气真好啊' },
          ],
          character_names: ['旁白', '小惠', '小静'],
        },
      });
      expect(open.status).toBe(200);
      expect(open.body.speakers.length).toBeGreaterThan(0);
      for (const name of open.body.speakers) expect(['旁白', '小惠', '小静']).toContain(name);
    });

    it('generate-response without a conversation streams from the given history', async () => {
      const events = await readSse(
        await postSse(system, '/api/v1/story_chat/generate-response', token, {
          character_id: alice.id,
          user_message: 'Alice, how was your day?',
          history_messages: [{ role: 'character', character_name: 'Bob', content: 'Nice place.' }],
          is_first_response: true,
        }),
      );
      expect(events[0].event).toBe('start');
      expect(events.filter((e) => e.event === 'message').length).toBeGreaterThan(1);
      expect(events.at(-1)!.data).toBe('[DONE]');
    });
  });

  describe('images', () => {
    it('imports SillyTavern character cards (PNG V2 with its avatar, JSON V1) and refuses broken ones', async () => {
      const card = {
        spec: 'chara_card_v2',
        spec_version: '2.0',
        data: {
          name: 'Seraphina',
          description: 'A guardian of the glade.',
          personality: 'Kind, protective',
          scenario: 'The glade at dawn.',
          first_mes: 'Welcome, traveller.',
          mes_example: '<START>\n{{char}}: Rest here.',
          extensions: { talkativeness: '0.8' },
        },
      };
      const avatar = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#48a' } })
        .png()
        .toBuffer();
      const pngCard = withTextChunk(avatar, 'chara', Buffer.from(JSON.stringify(card)).toString('base64'));
      const importCard = (bytes: Uint8Array, name: string) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(bytes)]), name);
        return fetch(`${system.baseUrl}/api/v1/characters/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
      };
      const countMine = async () =>
        (await api(system.baseUrl, 'GET', '/api/v1/characters/list', { token })).body.length as number;
      const before = await countMine();

      const fromPng = await importCard(pngCard, 'seraphina.png');
      expect(fromPng.status).toBe(201);
      const imported = (await fromPng.json()) as Record<string, any>;
      expect(imported).toMatchObject({
        name: 'Seraphina',
        personality: 'Kind, protective',
        background: 'The glade at dawn.',
        talkativeness: 0.8,
      });
      expect(imported.description).toBe(
        'A guardian of the glade.\n\nExample dialogue:\n<START>\n{{char}}: Rest here.',
      );
      // The card's own PNG becomes the avatar, served like any upload: re-encoded, so the same
      // pixels without the card's text chunk.
      const served = await fetch(imported.image_url);
      expect(served.status).toBe(200);
      const avatarBytes = Buffer.from(await served.arrayBuffer());
      expect(avatarBytes.includes('chara')).toBe(false);
      expect(await sharp(avatarBytes).raw().toBuffer()).toEqual(await sharp(avatar).raw().toBuffer());

      const v1 = { name: 'Old Tom', description: 'A fisherman', personality: 'Gruff', scenario: 'The pier' };
      const fromJson = await importCard(new TextEncoder().encode(JSON.stringify(v1)), 'tom.json');
      expect(fromJson.status).toBe(201);
      expect(await fromJson.json()).toMatchObject({
        name: 'Old Tom',
        description: 'A fisherman',
        background: 'The pier',
        image_url: null,
      });

      for (const [bytes, detail] of [
        [avatar, /no character card/],
        [withTextChunk(avatar, 'chara', 'bm90IGpzb24='), /not base64-encoded JSON/],
        [new TextEncoder().encode('{"description": "nameless"}'), /Invalid character card/],
        [new TextEncoder().encode('{"name": '), /not valid JSON/],
        [new TextEncoder().encode('hello'), /Not a character card/],
      ] as const) {
        const refused = await importCard(bytes, 'bad.bin');
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { detail: string }).detail).toMatch(detail);
      }
      const anonymous = await fetch(`${system.baseUrl}/api/v1/characters/import`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      expect(await countMine()).toBe(before + 2);
    });

    it('uploads checked by content, serves publicly by filename and id, refuses others', async () => {
      const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
        .png()
        .toBuffer();
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'red.png');
      const uploaded = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(uploaded.status).toBe(200);
      const body = (await uploaded.json()) as { url: string; filename: string };
      expect(body.filename).toMatch(/\.png$/);
      expect(body.url).toBe(`${system.baseUrl}/api/v1/images/${body.filename}`);
      const served = await fetch(body.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      // Stored re-encoded (the same pixels; the bytes may differ from the upload's).
      const servedPng = Buffer.from(await served.arrayBuffer());
      expect(await sharp(servedPng).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());

      const fake = new FormData();
      fake.append(
        'file',
        new Blob([new TextEncoder().encode('<svg></svg>')], { type: 'image/png' }),
        'x.png',
      );
      const refused = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: fake,
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/jpg, png, gif and webp/);

      const big = new FormData();
      big.append('file', new Blob([new Uint8Array(10 * 1024 * 1024 + 10)]), 'big.png');
      const tooBig = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: big,
      });
      expect(tooBig.status).toBe(413);
      const anonymous = new FormData();
      anonymous.append('file', new Blob([new Uint8Array(png)]), 'red.png');
      expect(
        (await fetch(`${system.baseUrl}/api/v1/images/upload`, { method: 'POST', body: anonymous })).status,
      ).toBe(401);
      expect((await fetch(`${system.baseUrl}/api/v1/images/missing.png`)).status).toBe(404);
    });
  });

  describe('rate limit', () => {
    it('allows 100 requests a minute per user, then 429', async () => {
      const { token: busy } = await walletLogin(system);
      const statuses: number[] = [];
      for (let index = 0; index < 101; index += 1)
        statuses.push((await api(system.baseUrl, 'GET', '/api/v1/languages', { token: busy })).status);
      expect(statuses.slice(0, 100).every((status) => status === 200)).toBe(true);
      expect(statuses[100]).toBe(429);
    });

    it('refuses a reply whose verdict arrives after it started: 429, nothing stored', async () => {
      const player = await walletLogin(system);
      const actor = await system.core.identity.authenticateToken(player.token);
      const stories = await api(system.baseUrl, 'GET', '/api/v1/story/published', { token: player.token });
      const story = stories.body.find((candidate: any) => candidate.title === 'The Lantern Inn');
      // This request also tells the node that the player is far below the limit.
      const created = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
        token: player.token,
        body: { story_id: story.id },
      });
      expect(created.status).toBe(200);
      // Other nodes spend the rest of the player's minute; this node has not heard of it yet.
      for (let index = 0; index < 100; index += 1)
        await system.core.story.store.hit(`story:${actor.id}`, 60_000);
      const refused = await postSse(system, '/api/v1/story_chat/generate-response', player.token, {
        character_id: story.characterDetails[0].id,
        conversation_id: created.body.id,
        user_message: 'Anyone here?',
        is_first_response: true,
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/application\/json/);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(await refused.json()).toEqual({ detail: 'Too many requests: 100 per minute' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stored = await system.core.story.models.ChatMessage.count({
        where: { conversation_id: created.body.id, role: 'user' },
      });
      expect(stored).toBe(0);
    });

    it('generate-response fast path answers every refusal exactly as the Koa route does', async () => {
      const player = await walletLogin(system);
      const stories = await api(system.baseUrl, 'GET', '/api/v1/story/published', { token: player.token });
      const story = stories.body.find((candidate: any) => candidate.title === 'The Lantern Inn');
      const created = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
        token: player.token,
        body: { story_id: story.id },
      });
      const other = stories.body.find((candidate: any) => candidate.title !== 'The Lantern Inn');
      const stranger = other.characterDetails.find(
        (character: any) => !story.characterDetails.some((member: any) => member.id === character.id),
      );
      const bearer = { authorization: `Bearer ${player.token}` };
      const cases: Array<[string, string, Record<string, string>, number]> = [
        ['malformed JSON', '{"character_id":', bearer, 400],
        ['no caller', JSON.stringify({ character_id: '1' }), {}, 401],
        ['unsupported scheme', JSON.stringify({ character_id: '1' }), { authorization: 'Basic abc' }, 401],
        ['expired token', JSON.stringify({ character_id: '1' }), { authorization: 'Bearer paw_nope' }, 401],
        ['missing character', JSON.stringify({ conversation_id: created.body.id }), bearer, 400],
        ['wrong type', JSON.stringify({ character_id: 5, is_first_response: 'yes' }), bearer, 400],
        [
          'unknown conversation',
          JSON.stringify({ character_id: story.characterDetails[0].id, conversation_id: '999999' }),
          bearer,
          404,
        ],
        [
          'character not in the cast',
          JSON.stringify({ character_id: stranger.id, conversation_id: created.body.id }),
          bearer,
          400,
        ],
      ];
      for (const [name, body, headers, status] of cases) {
        // A query string sends the same request through the Koa stack instead of the fast path.
        const [fast, koa] = await Promise.all(
          ['', '?via=koa'].map(async (query) => {
            const response = await fetch(`${system.baseUrl}/api/v1/story_chat/generate-response${query}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body,
            });
            return {
              status: response.status,
              type: response.headers.get('content-type'),
              requestId: !!response.headers.get('x-request-id'),
              body: await response.json(),
            };
          }),
        );
        expect(fast, name).toEqual(koa);
        expect(fast.status, name).toBe(status);
        expect(fast.type, name).toMatch(/application\/json/);
        expect(fast.body.detail, name).toBeTruthy();
      }
      const stored = await system.core.story.models.ChatMessage.count({
        where: { conversation_id: created.body.id, role: 'user' },
      });
      expect(stored).toBe(0);
    });
  });
});

/** A PNG with a tEXt chunk added before IEND (how SillyTavern carries a card in its avatar). */
function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const type = Buffer.from('tEXt', 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])));
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), length, type, data, crc, png.subarray(iend)]);
}
