import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { publishDemoStory, walletLogin } from './support/story.js';

const PATH = '/api/v1/story_chat/bindings';

/**
 * The bots' story bindings (which conversation a Discord thread or Telegram chat plays), on both
 * databases: the one-active-binding-per-place rule is a unique index that must hold on each.
 */
describe.each(['sqlite', 'mariadb'] as const)('story chat bindings on %s', (db) => {
  let system: RunningSystem;
  let story: { id: string; title: string };
  const tg = (userId: string) => ({ headers: botHeaders(system.botToken, 'telegram', userId) });
  const dc = (userId: string) => ({ headers: botHeaders(system.botToken, 'discord', userId) });

  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
    story = await publishDemoStory(system, `Bindings ${db} ${Date.now()}`);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('binds a place, shares it with every member, refuses a second story, and ends once', async () => {
    const channel = '-1001000000001:';
    expect((await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, tg('9001'))).body).toEqual({
      binding: null,
    });

    const created = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9001'),
      body: { channel, story_id: story.id },
    });
    expect(created.status).toBe(200);
    expect(created.body.binding).toMatchObject({
      platform: 'telegram',
      channel,
      parent_channel: null,
      story_id: story.id,
      status: 'active',
      ended_at: null,
      story: { id: story.id, title: story.title },
    });
    expect(created.body.binding.story.characterDetails.map((c: { name: string }) => c.name)).toEqual([
      'Mira',
      'Tobin',
    ]);
    expect(created.body.openings).toEqual([
      expect.objectContaining({ content: 'Mira stirs the fire.', character_name: 'Mira', is_opening: true }),
    ]);
    const conversationId = created.body.binding.conversation_id;

    // Another member of the chat (another user) sees the same conversation.
    const seen = await api(
      system.baseUrl,
      'GET',
      `${PATH}?channel=${encodeURIComponent(channel)}`,
      tg('9002'),
    );
    expect(seen.body.binding.conversation_id).toBe(conversationId);
    // The same id on the other platform is another place.
    expect(
      (await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, dc('9001'))).body.binding,
    ).toBeNull();

    const second = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9002'),
      body: { channel, story_id: story.id },
    });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ detail: `A story already runs here: ${story.title}` });

    // Every member plays, but only who started the story (or staff) ends it; the story goes on.
    const refused = await api(system.baseUrl, 'POST', `${PATH}/end`, { ...tg('9002'), body: { channel } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: 'Only the member who started this story, or staff, can end it' });
    expect(
      (await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, tg('9002'))).body.binding
        .conversation_id,
    ).toBe(conversationId);

    const ended = await api(system.baseUrl, 'POST', `${PATH}/end`, { ...tg('9001'), body: { channel } });
    expect(ended.status).toBe(200);
    expect(ended.body.binding).toMatchObject({ conversation_id: conversationId, status: 'ended' });
    expect(ended.body.binding.ended_at).toEqual(expect.any(String));
    const conversation = await system.core.story.models.Conversation.findByPk(conversationId);
    expect(conversation?.status).toBe('ended');

    const again = await api(system.baseUrl, 'POST', `${PATH}/end`, { ...tg('9001'), body: { channel } });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ detail: 'No story runs here' });
    expect(
      (await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, tg('9001'))).body.binding,
    ).toBeNull();
  });

  it('lets exactly one of several racing starts win; the losers leave no running conversation', async () => {
    const channel = '720000000000000001';
    const results = await Promise.all(
      ['9101', '9102', '9103', '9104', '9105'].map((user) =>
        api(system.baseUrl, 'POST', PATH, {
          ...dc(user),
          body: { channel, story_id: story.id, parent_channel: '710000000000000001' },
        }),
      ),
    );
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const winner = results.find((result) => result.status === 200)!.body.binding;
    expect(winner.parent_channel).toBe('710000000000000001');

    const { Conversation } = system.core.story.models;
    const running = await Conversation.findAll({ where: { story_id: story.id, status: 'active' } });
    expect(running.map((row) => row.id)).toEqual([winner.conversation_id]);
    const [rows] = await system.core.sequelize.query(
      `SELECT COUNT(*) AS n FROM story_chat_bindings WHERE platform = 'discord' AND channel = '${channel}'`,
    );
    expect(Number((rows as Array<{ n: number }>)[0].n)).toBe(1);

    const starter = ['9101', '9102', '9103', '9104', '9105'][results.findIndex((r) => r.status === 200)];
    expect(
      (await api(system.baseUrl, 'POST', `${PATH}/end`, { ...dc(starter), body: { channel } })).status,
    ).toBe(200);
  });

  it("lets only who started a place's story, staff, or the place's moderators end it", async () => {
    const channel = '-1001000000009:';
    const started = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9301'),
      body: { channel, story_id: story.id },
    });
    expect(started.status).toBe(200);
    const end = (userId: string, extra: Record<string, unknown> = {}) =>
      api(system.baseUrl, 'POST', `${PATH}/end`, { ...tg(userId), body: { channel, ...extra } });
    expect((await end('9302')).status).toBe(403);
    expect((await end('9302', { moderator: 'yes' })).status).toBe(400);
    // A web token cannot claim to moderate a platform place (only the bots name places).
    const web = await api(system.baseUrl, 'POST', `${PATH}/end`, {
      token: system.admin.token,
      body: { channel, moderator: true },
    });
    expect(web.status).toBe(403);
    // A platform member the staff promoted (their Dreamloom user) may end anyone's story.
    const moderator = await api(system.baseUrl, 'GET', '/api/generation/credits', tg('9303'));
    await system.core.models.User.update({ role: 'staff' }, { where: { id: moderator.body.data.user_id } });
    // Platform members are remembered for 5 s; the promotion counts once that memory lapses.
    let ended = await end('9303');
    await expect
      .poll(async () => (ended = await end('9303')).status, { timeout: 10_000, interval: 500 })
      .toBe(200);
    expect(ended.body.binding.status).toBe('ended');

    // A moderator of the place (the bot vouches: Discord Manage Threads, a Telegram chat admin).
    const again = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9301'),
      body: { channel, story_id: story.id },
    });
    expect(again.status).toBe(200);
    const moderated = await end('9304', { moderator: true });
    expect(moderated.status).toBe(200);
    expect(moderated.body.binding.status).toBe('ended');
  });

  it('frees the place when its conversation ends through the HTTP API', async () => {
    const channel = '-1001000000002:77';
    const created = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9201'),
      body: { channel, story_id: story.id },
    });
    const ended = await api(
      system.baseUrl,
      'POST',
      `/api/v1/conversation/${created.body.binding.conversation_id}/end`,
      tg('9201'),
    );
    expect(ended.status).toBe(200);
    expect(
      (await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, tg('9201'))).body.binding,
    ).toBeNull();
    const next = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9201'),
      body: { channel, story_id: story.id },
    });
    expect(next.status).toBe(200);
    expect(next.body.binding.conversation_id).not.toBe(created.body.binding.conversation_id);
  });

  it('lets the retention sweep delete an old conversation of a bound place, which frees the place', async () => {
    const channel = '-1001000000003:';
    const created = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9401'),
      body: { channel, story_id: story.id },
    });
    const conversationId = created.body.binding.conversation_id;
    const { Conversation } = system.core.story.models;
    await Conversation.update(
      { updated_at: new Date(Date.now() - 40 * 86_400_000) },
      { where: { id: conversationId } },
    );
    expect(await system.core.story.retention.cleanup(30)).toBeGreaterThanOrEqual(1);
    expect(await Conversation.findByPk(conversationId)).toBeNull();
    expect(
      (await api(system.baseUrl, 'GET', `${PATH}?channel=${channel}`, tg('9401'))).body.binding,
    ).toBeNull();
    const next = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9401'),
      body: { channel, story_id: story.id },
    });
    expect(next.status).toBe(200);
  });

  it('answers bad input, other callers and unknown stories in the contract envelope', async () => {
    const bad = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9301'),
      body: { channel: 'has spaces/and slashes', story_id: story.id },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/channel/);
    const missing = await api(system.baseUrl, 'POST', PATH, { ...tg('9301'), body: { channel: '-1:' } });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/story_id/);
    const badParent = await api(system.baseUrl, 'POST', PATH, {
      ...dc('9301'),
      body: { channel: '1', story_id: story.id, parent_channel: 'x:y' },
    });
    expect(badParent.status).toBe(400);
    expect(badParent.body.detail).toMatch(/parent_channel/);
    const unknown = await api(system.baseUrl, 'POST', PATH, {
      ...tg('9301'),
      body: { channel: '-1:', story_id: 'no-such-story' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Story not found' });

    // A web user's token cannot name platform places; nobody anonymous can.
    const { token } = await walletLogin(system);
    const web = await api(system.baseUrl, 'GET', `${PATH}?channel=-1:`, { token });
    expect(web.status).toBe(403);
    expect(web.body).toEqual({ detail: 'Only the bots bind platform channels' });
    expect((await api(system.baseUrl, 'GET', `${PATH}?channel=-1:`)).status).toBe(401);
    const wrongBot = await api(system.baseUrl, 'GET', `${PATH}?channel=-1:`, {
      headers: botHeaders('not-the-bot-token', 'telegram', '9301'),
    });
    expect(wrongBot.status).toBe(401);
  });
});
