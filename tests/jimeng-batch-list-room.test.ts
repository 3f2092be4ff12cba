import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectSocket, subscribe } from './support/clients.js';
import { createStaff, storyboards } from './support/jimeng.js';
import { startSystem, type RunningSystem } from './support/system.js';

interface ListEvent {
  batch_id: string;
  status: string;
  total_count: number;
  completed_count: number;
}

/** Every `name` event the socket receives from now on. */
function collect(socket: Socket, name: string): ListEvent[] {
  const seen: ListEvent[] = [];
  socket.on(name, (event: ListEvent) => seen.push(event));
  return seen;
}

async function createBatch(system: RunningSystem, token: string, prefix: string): Promise<string> {
  const created = await api(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', {
    token,
    body: { work_id: `w-${prefix}`, batch_data: storyboards(2, prefix) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return created.body.data.batch_id as string;
}

/**
 * The batch list's staff room (`batches`): a new batch reaches the lists that may see it at once
 * (its creator's, the admins'), never another staff member's (003: staff see their own batches),
 * and members cannot join. Its end is announced too, so a list does not wait for a poll.
 */
describe('socket.io room batches: batch.created, batch.progress and batch.finished', () => {
  let system: RunningSystem;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await system?.stop();
  });

  async function listener(token: string) {
    const socket = await connectSocket(system.baseUrl, { token });
    sockets.push(socket);
    return socket;
  }

  it('tells the creator and the admins of a new batch within 2 s, not other staff', async () => {
    const ownerToken = await createStaff(system, 'list-room-owner');
    const otherToken = await createStaff(system, 'list-room-other');
    const owner = await listener(ownerToken);
    const other = await listener(otherToken);
    const admin = await listener(system.admin.token);
    for (const socket of [owner, other, admin])
      expect(await subscribe(socket, 'batches')).toEqual({ ok: true });
    const ownerCreated = collect(owner, 'batch.created');
    const ownerFinished = collect(owner, 'batch.finished');
    const otherCreated = collect(other, 'batch.created');
    const adminCreated = collect(admin, 'batch.created');
    const ownerProgress = collect(owner, 'batch.progress');
    const otherProgress = collect(other, 'batch.progress');
    const adminProgress = collect(admin, 'batch.progress');

    const batchId = await createBatch(system, ownerToken, 'room');

    await expect
      .poll(() => ownerCreated.map((event) => event.batch_id), { timeout: 2_000, interval: 50 })
      .toEqual([batchId]);
    await expect
      .poll(() => adminCreated.map((event) => event.batch_id), { timeout: 2_000 })
      .toEqual([batchId]);
    expect(ownerCreated[0]).toMatchObject({ total_count: 2, status: 'pending' });
    await expect
      .poll(() => ownerFinished.map((event) => [event.batch_id, event.status]), { timeout: 15_000 })
      .toEqual([[batchId, 'completed']]);
    expect(otherCreated).toEqual([]);
    // While it ran, the lists heard its counts (so their bars move without a poll).
    expect(ownerProgress.length).toBeGreaterThan(0);
    await expect.poll(() => adminProgress.length, { timeout: 2_000 }).toBe(ownerProgress.length);
    for (const event of ownerProgress)
      expect(event).toMatchObject({ batch_id: batchId, status: 'processing', total_count: 2 });
    expect(otherProgress).toEqual([]);
  }, 30_000);

  it('refuses members and another staff member’s list room', async () => {
    const owner = await system.core.identity.createPasswordUser({
      username: 'list-room-someone',
      password: 'staff-password-1',
      role: 'staff',
    });
    const otherToken = await createStaff(system, 'list-room-peer');
    const peer = await listener(otherToken);
    expect((await subscribe(peer, `batches:${owner.id}`)).ok).toBe(false);

    await system.core.identity.createPasswordUser({
      username: 'list-room-member',
      password: 'member-password-1',
      role: 'user',
    });
    const login = await api(system.baseUrl, 'POST', '/api/v1/staff/auth/login', {
      body: { username: 'list-room-member', password: 'member-password-1' },
    });
    const memberToken = login.body.data?.token as string | undefined;
    expect(memberToken, JSON.stringify(login.body)).toBeTruthy();
    const member = await listener(memberToken!);
    expect(await subscribe(member, 'batches')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }, 30_000);
});
