import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IDENTITY_CHANGED,
  TaskEvents,
  createCore,
  startWorker,
  taskRoom,
  type Core,
  type DomainEvent,
} from '@dreamloom/core';
import { createServer, type DreamloomServer } from '@dreamloom/server';
import { api, botHeaders } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { walletLogin } from './support/story.js';

/**
 * Issue 14: status polls and bearer tokens are served from each server node's memory, and that
 * memory follows the events members receive. Two server nodes share the database and Redis; the
 * test polls both. A poll after a task's event reflects it on every node; a token revoked on one
 * node is refused at once on the other; another member's task is still "not found".
 */
describe.each(['sqlite', 'mariadb'] as const)('read caches across server nodes (%s)', (db) => {
  let system: RunningSystem;
  let secondCore: Core;
  let secondServer: DreamloomServer;
  let second: string;
  let workerCore: Core | null = null;
  /** Statements the second node sent to the database. */
  let queries = 0;

  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
    secondCore = createCore(system.config);
    secondCore.sequelize.addHook('beforeQuery', () => {
      queries += 1;
    });
    secondServer = await createServer(secondCore);
    second = (await secondServer.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await workerCore?.close();
    await secondServer?.close();
    await secondCore?.close();
    await system?.stop();
  });

  /** Resolves with the first event of `name` in `room` that the second node hears. */
  function heardOnSecondNode(room: string, name: string): Promise<DomainEvent> {
    return new Promise((resolve) => {
      const unsubscribe = secondCore.events.subscribe((event) => {
        if (event.room !== room || event.name !== name) return;
        void unsubscribe.then((stop) => stop());
        resolve(event);
      });
    });
  }

  const status = (base: string, uuid: string, headers: Record<string, string>) =>
    api(base, 'GET', `/api/generation/status/${uuid}`, { headers });

  it('a repeated poll reads nothing from the database, and the next poll after the task finishes shows it on both nodes', async () => {
    const owner = botHeaders(system.botToken, 'discord', `owner-${db}`);
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: owner,
      body: { prompt: 'a paper crane over a river', batch_size: 1 },
    });
    expect(created.status).toBe(200);
    const uuid = created.body.data.generation_uuid as string;

    // No worker yet: the task waits. Both nodes answer pending and remember it (a node's first
    // read may come before it listens to the event bus, and is then not remembered).
    for (const base of [system.baseUrl, second, system.baseUrl, second]) {
      const first = await status(base, uuid, owner);
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('pending');
    }
    const before = queries;
    const again = await status(second, uuid, owner);
    expect(again.body.status).toBe('pending');
    expect(queries - before).toBe(0);

    // The worker runs it; once the second node has heard the completion, its next poll shows it.
    const completed = heardOnSecondNode(taskRoom(uuid), TaskEvents.completed);
    workerCore = createCore(system.config);
    await startWorker(workerCore);
    await completed;
    for (const base of [second, system.baseUrl]) {
      const after = await status(base, uuid, owner);
      expect(after.status).toBe(200);
      expect(after.body.status).toBe('completed');
      expect(after.body.progress).toBe(100);
      expect(after.body.results).toHaveLength(1);
      expect(after.body.actions).toContain('reroll');
    }
    // And that answer is remembered in turn.
    const settled = queries;
    expect((await status(second, uuid, owner)).body.status).toBe('completed');
    expect(queries - settled).toBe(0);
  });

  it("another member's task stays not found on a node that remembers it", async () => {
    const owner = botHeaders(system.botToken, 'discord', `owner-${db}`);
    const stranger = botHeaders(system.botToken, 'discord', `stranger-${db}`);
    const history = await api(second, 'GET', '/api/anime-generation/history', { headers: owner });
    const uuid = history.body.data.records[0].generation_uuid as string;
    expect((await status(second, uuid, owner)).status).toBe(200);
    for (const base of [second, system.baseUrl]) {
      const foreign = await status(base, uuid, stranger);
      expect(foreign.status).toBe(404);
      expect(JSON.stringify(foreign.body)).not.toContain('paper crane');
      expect((await status(base, uuid, {})).status).toBe(401);
    }
  });

  it('a bearer token is read once per node, and one revoked on the first node is refused at once on the second', async () => {
    const { token } = await walletLogin(system);
    const bearer = { authorization: `Bearer ${token}` };
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: bearer,
      body: { prompt: 'a lantern on a windowsill', batch_size: 1 },
    });
    expect(created.status).toBe(200);
    const uuid = created.body.data.generation_uuid as string;
    // Subscribed before the task can finish: the worker's provider call takes longer than this.
    await heardOnSecondNode(taskRoom(uuid), TaskEvents.completed);
    expect((await status(second, uuid, bearer)).body.status).toBe('completed');
    // Token, user and task all come from the second node's memory now.
    const before = queries;
    expect((await status(second, uuid, bearer)).status).toBe(200);
    expect(queries - before).toBe(0);

    const revoked = heardOnSecondNode('control:identity', IDENTITY_CHANGED);
    const logout = await api(system.baseUrl, 'POST', '/api/v1/auth/logout', { token });
    expect(logout.status).toBe(200);
    // No waiting: the notice reached the second node before the logout's answer reached us.
    expect((await status(second, uuid, bearer)).status).toBe(401);
    expect((await status(system.baseUrl, uuid, bearer)).status).toBe(401);
    await revoked;
  });
  it('a history page is read once per node and shows a new task, then its end, on both nodes', async () => {
    const owner = botHeaders(system.botToken, 'discord', `pages-${db}`);
    const history = (base: string) => api(base, 'GET', '/api/anime-generation/history', { headers: owner });
    for (const base of [system.baseUrl, second, system.baseUrl, second])
      expect((await history(base)).body.data.pagination.total).toBe(0);
    const before = queries;
    expect((await history(second)).status).toBe(200);
    expect(queries - before).toBe(0);

    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers: owner,
      body: { prompt: 'a kite above the dunes', batch_size: 1 },
    });
    expect(created.status).toBe(200);
    const uuid = created.body.data.generation_uuid as string;
    const finished = heardOnSecondNode(taskRoom(uuid), TaskEvents.completed);
    // Listed at once on both nodes (the new task moved every page of its owner).
    for (const base of [second, system.baseUrl]) {
      const page = (await history(base)).body.data;
      expect(page.pagination.total).toBe(1);
      expect(page.records[0].generation_uuid).toBe(uuid);
    }
    await finished;
    for (const base of [second, system.baseUrl]) {
      const record = (await history(base)).body.data.records[0];
      expect(record.status).toBe('completed');
      expect(record.images).toHaveLength(1);
    }
  });

  it('a deleted 004 task leaves the history and the status on every node at once', async () => {
    const { token } = await walletLogin(system);
    const bearer = { authorization: `Bearer ${token}` };
    const created = await api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
      headers: bearer,
      body: {
        prompt: 'harbour lights',
        model: 'gemini-2.5-flash-image',
        count: 1,
        apiKey: 'AIzaSy-test-key-0001',
      },
    });
    expect(created.status).toBe(200);
    const id = created.body.data.id as string;
    const finished = heardOnSecondNode(taskRoom(id), TaskEvents.completed);
    await finished;
    const list = (base: string) => api(base, 'GET', '/api/v1/history', { headers: bearer });
    for (const base of [second, second, system.baseUrl]) {
      const page = (await list(base)).body.data;
      expect(page.total).toBe(1);
      expect(page.list[0]).toMatchObject({ id, status: 'completed' });
      expect((await api(base, 'GET', `/api/v1/generate/status/${id}`, { headers: bearer })).status).toBe(200);
      expect((await status(base, id, bearer)).status).toBe(200);
    }
    const before = queries;
    await list(second);
    await api(second, 'GET', `/api/v1/generate/status/${id}`, { headers: bearer });
    expect(queries - before).toBe(0);

    const deleted = await api(system.baseUrl, 'DELETE', `/api/v1/history/${id}`, { headers: bearer });
    expect(deleted.status).toBe(200);
    for (const base of [second, system.baseUrl]) {
      const page = (await list(base)).body.data;
      expect(page.total).toBe(0);
      expect(page.list).toEqual([]);
      expect((await status(base, id, bearer)).status).toBe(404);
      expect((await api(base, 'GET', `/api/v1/generate/status/${id}`, { headers: bearer })).status).toBe(404);
    }
  });
  it("a conversation's latest history page is read once per node and shows an edit and a reply on both nodes", async () => {
    const { token } = await walletLogin(system);
    const stories = await api(system.baseUrl, 'GET', '/api/v1/story/published', { token });
    const story = stories.body.find((candidate: { title: string }) => candidate.title === 'The Lantern Inn');
    const conversation = await api(system.baseUrl, 'POST', '/api/v1/conversation', {
      token,
      body: { story_id: story.id },
    });
    expect(conversation.status).toBe(200);
    const conversationId = conversation.body.id as string;
    const page = (base: string) =>
      api(base, 'GET', `/api/v1/story_chat/history-messages?conversation_id=${conversationId}`, { token });
    let messageReads = 0;
    secondCore.sequelize.addHook('afterQuery', (_options, query) => {
      if (/chat_messages/.test((query as { sql?: string }).sql ?? '')) messageReads += 1;
    });
    for (const base of [second, system.baseUrl, second, system.baseUrl])
      expect((await page(base)).status).toBe(200);
    const opening = (await page(second)).body[0];
    const reads = messageReads;
    expect((await page(second)).body).toHaveLength((await page(system.baseUrl)).body.length);
    expect(messageReads - reads).toBe(0);

    // An edit through the first node shows there at once, and on the second as soon as it hears
    // the notice (published before the edit is answered, delivered by Redis a moment later: the
    // same moment members on that node hear the edit's event).
    const edited = await api(system.baseUrl, 'PUT', `/api/v1/story_chat/messages/${opening.id}`, {
      token,
      body: { content: 'The lanterns flicker twice.' },
    });
    expect(edited.status).toBe(200);
    expect((await page(system.baseUrl)).body[0].content).toBe('The lanterns flicker twice.');
    await expect
      .poll(async () => (await page(second)).body[0].content, { timeout: 2000, interval: 20 })
      .toBe('The lanterns flicker twice.');

    // A reply through the first node: the member's line and the reply, once the end is heard.
    const ended = heardOnSecondNode(`conversation:${conversationId}`, 'message.end');
    const reply = await api(system.baseUrl, 'POST', '/api/v1/story_chat/generate-response', {
      token,
      body: {
        history_length: 25,
        character_id: story.characterDetails[0].id,
        conversation_id: conversationId,
        user_message: 'Who keeps the lanterns lit?',
        is_first_response: true,
      },
    });
    expect(reply.status).toBe(200);
    await ended;
    for (const base of [second, system.baseUrl]) {
      const lines = (await page(base)).body as Array<{ role: string; content: string }>;
      expect(lines.at(-2)).toMatchObject({ role: 'user', content: 'Who keeps the lanterns lit?' });
      expect(lines.at(-1)!.role).toBe('assistant');
    }
  });
});
