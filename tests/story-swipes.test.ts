import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { publishDemoStory, readSse } from './support/story.js';

/**
 * Swipes (issue 15): a regenerated reply keeps its earlier versions, and a player may bring one
 * back (POST /api/v1/story_chat/messages/:id/swipe). The chosen version is the reply's content,
 * so the story goes on from what the members see; no version is ever lost.
 */
describe.each(['sqlite', 'mariadb'] as const)('story reply swipes on %s', (db) => {
  let system: RunningSystem;
  let story: { id: string };

  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
    story = await publishDemoStory(system, `Swipes ${db} ${Date.now()}`);
  });
  afterAll(async () => {
    await system?.stop();
  });

  const inPlace = (userId: string, channel: string) => ({
    ...botHeaders(system.botToken, 'telegram', userId),
    'x-platform-channel': channel,
  });
  const stream = async (path: string, headers: Record<string, string>, body: unknown) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const events = await readSse(response);
    return events.filter((e) => e.event === 'end').map((e) => JSON.parse(e.data));
  };
  const swipe = (messageId: string, headers: Record<string, string>, body: unknown) =>
    api(system.baseUrl, 'POST', `/api/v1/story_chat/messages/${messageId}/swipe`, { headers, body });

  it('brings back an earlier version for a player of the place, keeping every version', async () => {
    const channel = '-1003000000001:';
    const bound = await api(system.baseUrl, 'POST', '/api/v1/story_chat/bindings', {
      headers: botHeaders(system.botToken, 'telegram', '9501'),
      body: { channel, story_id: story.id },
    });
    expect(bound.status).toBe(200);
    const conversationId = bound.body.binding.conversation_id as string;
    const player = inPlace('9502', channel);

    const replies = await stream('/api/v1/story_chat/turn', player, {
      conversation_id: conversationId,
      content: 'Who goes there?',
    });
    const last = replies.at(-1);
    const [regenerated] = await stream('/api/v1/story_chat/regenerate', player, {
      conversation_id: conversationId,
    });
    // Regenerate rewrites the same message and keeps the first telling.
    expect(regenerated.id).toBe(last.id);
    expect(regenerated.swipes).toEqual([last.content]);

    // Known versions, so the swap is visible whatever the sandbox model writes.
    const { ChatMessage } = system.core.story.models;
    await ChatMessage.update(
      { content: 'the third telling', swipes: JSON.stringify(['the first telling', 'the second telling']) },
      { where: { id: last.id } },
    );
    const chosen = await swipe(last.id, player, { index: 0 });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body).toMatchObject({
      id: last.id,
      content: 'the first telling',
      swipes: ['the third telling', 'the second telling'],
    });
    const history = await api(
      system.baseUrl,
      'GET',
      `/api/v1/story_chat/history-messages?conversation_id=${conversationId}`,
      { headers: player },
    );
    expect(history.body.find((m: { id: string }) => m.id === last.id).content).toBe('the first telling');

    // The next regenerate goes on from the chosen version and keeps it too.
    const [again] = await stream('/api/v1/story_chat/regenerate', player, {
      conversation_id: conversationId,
    });
    expect(again.swipes).toEqual(['the third telling', 'the second telling', 'the first telling']);

    // Outsiders learn nothing; bad indexes and user lines are refused clearly.
    const stranger = botHeaders(system.botToken, 'telegram', '9503');
    expect((await swipe(last.id, stranger, { index: 0 })).status).toBe(404);
    const missing = await swipe(last.id, player, { index: 9 });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'This reply has no such earlier version' });
    const negative = await swipe(last.id, player, { index: -1 });
    expect(negative.status).toBe(400);
    expect(negative.body.detail).toContain('index');
    expect((await swipe(last.id, player, {})).status).toBe(400);
    const userLine = history.body.find((m: { role: string }) => m.role === 'user');
    expect((await swipe(userLine.id, player, { index: 0 })).body).toEqual({
      detail: 'This reply has no such earlier version',
    });

    // Once the story ended, its replies stay as they are.
    await api(system.baseUrl, 'POST', '/api/v1/story_chat/bindings/end', {
      headers: botHeaders(system.botToken, 'telegram', '9501'),
      body: { channel },
    });
    const starterHeaders = botHeaders(system.botToken, 'telegram', '9501');
    const ended = await swipe(last.id, starterHeaders, { index: 0 });
    expect(ended.status).toBe(409);
  });
});
