import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, connectSocket, subscribe } from './support/clients.js';
import { member, waitForEnd } from './support/anime.js';

/**
 * Contracts 000/001 say "Errors: 统一英文": a failed generation tells its member a stable English
 * code and message from one table, whatever the provider said (Jimeng's gateway answers Chinese);
 * the provider's own text is kept for staff.
 */
describe('anime generation errors are English and stable', () => {
  let system: RunningSystem;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite' });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await system?.stop();
  });

  const create = (headers: Record<string, string>, body: Record<string, unknown>) =>
    api(system.baseUrl, 'POST', '/api/anime-generation/create-task', { headers, body });

  it('a content block shows CONTENT_BLOCKED in English to the member, the gateway text to staff only', async () => {
    const { headers, userId } = await member(system, 'errors-member-1');
    const socket = await connectSocket(system.baseUrl, {
      botToken: system.botToken,
      platform: 'discord',
      platformUserId: 'errors-member-1',
    });
    sockets.push(socket);
    const failedEvents: unknown[] = [];
    socket.on('task.failed', (payload: unknown) => failedEvents.push(payload));
    // Slow enough that the socket has joined the room before the provider answers.
    system.sandbox.state.setLatency(400);
    system.sandbox.state.injectFault({ provider: 'jimeng', kind: 'content-blocked', count: 1 });
    const created = await create(headers, { gen_type: 'anime', prompt: 'blocked fox' });
    expect(created.status).toBe(200);
    const id = created.body.data.generation_uuid as string;
    expect((await subscribe(socket, `task:${id}`)).ok).toBe(true);

    const failed = await waitForEnd(system, id, headers);
    system.sandbox.state.setLatency(50);
    expect(failed).toMatchObject({
      status: 'failed',
      error_code: 'CONTENT_BLOCKED',
      error_message: "The prompt or the result was blocked by the provider's content policy",
    });
    expect(failed).not.toHaveProperty('error_detail');
    expect(JSON.stringify(failed)).not.toMatch(/内容|content_blocked:/);

    const history = await api(system.baseUrl, 'GET', '/api/anime-generation/history?status=failed', {
      headers,
    });
    const record = history.body.data.records.find(
      (each: { generation_uuid: string }) => each.generation_uuid === id,
    );
    expect(record).toMatchObject({ error_code: 'CONTENT_BLOCKED', error_message: failed.error_message });
    expect(record).not.toHaveProperty('error_detail');

    await expect.poll(() => failedEvents.length).toBeGreaterThan(0);
    expect(failedEvents[0]).toMatchObject({ taskId: id, error: { code: 'CONTENT_BLOCKED' } });
    expect(JSON.stringify(failedEvents)).not.toMatch(/内容/);

    // Staff read the provider's own words beside the member's message.
    const staffStatus = await api(system.baseUrl, 'GET', `/api/generation/status/${id}`, {
      token: system.admin.token,
    });
    expect(staffStatus.body.error_code).toBe('CONTENT_BLOCKED');
    expect(staffStatus.body.error_detail).toContain('内容违规');
    const staffList = await api(
      system.baseUrl,
      'GET',
      `/api/anime-generation/admin/generations?user_id=${userId}`,
      { token: system.admin.token },
    );
    const staffRecord = staffList.body.data.records.find(
      (each: { generation_uuid: string }) => each.generation_uuid === id,
    );
    expect(staffRecord.error_detail).toContain('内容违规');
  });

  it('a Gemini moderation refusal is CONTENT_BLOCKED too, without Gemini’s words', async () => {
    const { headers } = await member(system, 'errors-member-2');
    system.sandbox.state.injectFault({ provider: 'gemini', kind: 'image-safety' });
    const created = await create(headers, {
      gen_type: 'anime',
      prompt: 'blocked by gemini',
      model_uuid: 'gemini-2.5-flash-image',
    });
    const failed = await waitForEnd(system, created.body.data.generation_uuid, headers);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'CONTENT_BLOCKED' });
    expect(failed.error_message).not.toMatch(/Gemini|IMAGE_SAFETY/);
  });
});
