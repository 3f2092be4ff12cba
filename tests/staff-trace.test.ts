import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api, botHeaders } from './support/clients.js';
import { grant, member, waitForEnd } from './support/anime.js';
import { createStaff, waitForBatch } from './support/jimeng.js';
import { createBatch, waitForTask } from './support/nanobanana/helpers.js';

/**
 * GET /api/v1/admin/trace?q=: from a generation uuid, a media URL, a Jimeng record id or a
 * NanoBanana image id to one view (task, attempts with masked credentials, errors, credits, user,
 * audit trail). Staff only; other staff's Jimeng records are not found, as everywhere else.
 */
describe('staff trace', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', env: { ANIME_IMAGE_CREDITS_PER_IMAGE: '7' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const trace = (q: string, token = system.admin.token) =>
    api(system.baseUrl, 'GET', `/api/v1/admin/trace?q=${encodeURIComponent(q)}`, { token });

  it('traces an anime generation by uuid and by its media URL: task, account, cost, member, audit', async () => {
    const { headers, userId } = await member(system, 'trace-member-1');
    await grant(system, userId, 500);
    const created = await api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
      headers,
      body: { gen_type: 'anime', prompt: 'a fox spirit to trace' },
    });
    expect(created.status).toBe(200);
    const uuid = created.body.data.generation_uuid as string;
    const done = await waitForEnd(system, uuid, headers);
    expect(done.status).toBe('completed');

    const byId = await trace(uuid);
    expect(byId.status).toBe(200);
    const view = byId.body.data;
    expect(view.matched).toEqual({ kind: 'generation', id: uuid });
    expect(view.task).toMatchObject({
      id: uuid,
      source: 'anime',
      status: 'completed',
      prompt: 'a fox spirit to trace',
    });
    expect(view.credits).toMatchObject({ charged: 7, refunded: 0 });
    expect(view.credits.entries.map((entry: { kind: string }) => entry.kind)).toContain('charge');
    expect(view.user).toMatchObject({
      id: userId,
      identities: [{ provider: 'discord', subject: 'trace-member-1' }],
    });
    const [taskAttempt] = view.attempts;
    expect(taskAttempt).toMatchObject({ scope: 'task', credential: 'pool', status: 'completed' });
    expect(taskAttempt.account.session_mask).toMatch(/…|\*/);
    expect(JSON.stringify(view)).not.toMatch(/secret_enc/);
    // The staff grant to this member is part of its trail; the timeline is in time order.
    expect(view.audit.map((entry: { action: string }) => entry.action)).toContain('credits.grant');
    const times = view.timeline.map((event: { at: string }) => event.at);
    expect([...times].sort()).toEqual(times);

    const url = view.outputs[0].url as string;
    expect(url).toContain('/media/');
    const byUrl = await trace(url);
    expect(byUrl.status).toBe(200);
    expect(byUrl.body.data.matched).toEqual({ kind: 'media', id: view.outputs[0].id });
    expect(byUrl.body.data.task.id).toBe(uuid);
    // The path alone works as well (pasted from the browser's address bar without the host).
    expect((await trace(new URL(url).pathname)).body.data.task.id).toBe(uuid);
  });

  it('traces a Jimeng record (with the staff delete in its audit) and a NanoBanana image', async () => {
    const token = system.admin.token;
    const submitted = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
      token,
      body: {
        work_id: 'trace-work',
        batch_data: [{ storyboard_id: 'trace-sb', prompt: 'a lantern street' }],
        global_config: { model: 'jimeng-4.5' },
      },
    });
    const batchId = submitted.body.data.batch_id as string;
    expect((await waitForBatch(system, token, batchId)).status).toBe('completed');
    const record = await system.core.jimeng.models.JimengRecord.findOne({ where: { batch_id: batchId } });
    await api(system.baseUrl, 'POST', '/api/v1/jimeng/records/delete', {
      token,
      body: { type: 'image', ids: [record!.id] },
    });
    const recordTrace = await trace(record!.id);
    expect(recordTrace.status).toBe(200);
    expect(recordTrace.body.data.matched).toEqual({ kind: 'jimeng_record', id: record!.id });
    expect(recordTrace.body.data.jimeng_record).toMatchObject({
      storyboard_id: 'trace-sb',
      is_deleted: true,
    });
    expect(recordTrace.body.data.task).toMatchObject({ source: 'jimeng', status: 'completed' });
    expect(recordTrace.body.data.attempts[0].account).toMatchObject({ provider: 'jimeng' });
    expect(recordTrace.body.data.audit.map((entry: { action: string }) => entry.action)).toContain(
      'jimeng_record.delete',
    );
    // Another staff member does not see the admin's records here either.
    const otherStaff = await createStaff(system, 'trace-other-staff');
    expect((await trace(record!.id, otherStaff)).status).toBe(404);

    const alice = botHeaders(system.botToken, 'telegram', '7301');
    const nano = await createBatch(system.baseUrl, { prompt: 'a paper crane', count: 1 }, alice);
    const task = await waitForTask(system.baseUrl, nano.body.data.id, alice);
    const imageId = task.images[0].id as string;
    const imageTrace = await trace(`${system.baseUrl}/api/v1/images/${imageId}`);
    expect(imageTrace.status).toBe(200);
    expect(imageTrace.body.data.matched).toEqual({ kind: 'nanobanana_image', id: imageId });
    expect(imageTrace.body.data.task).toMatchObject({ id: task.id, source: 'nanobanana' });
    expect(imageTrace.body.data.user.identities[0]).toMatchObject({ provider: 'telegram', subject: '7301' });
    expect(JSON.stringify(imageTrace.body.data)).not.toContain('AIzaSy-test-key-0001');
  });

  it('answers 404 for unknown ids, 400 for junk, 403 for members, and is documented', async () => {
    expect((await trace('does-not-exist-anywhere')).status).toBe(404);
    expect((await trace('<script>')).status).toBe(400);
    const { headers } = await member(system, 'trace-member-2');
    const refused = await api(system.baseUrl, 'GET', '/api/v1/admin/trace?q=x', { headers });
    expect(refused.status).toBe(403);
    const docs = await api(system.baseUrl, 'GET', '/api/docs');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/admin/trace', '/api/v1/admin/audit']),
    );
  });
});
