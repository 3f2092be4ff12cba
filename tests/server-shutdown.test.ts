import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createServer, type DreamloomServer } from '@dreamloom/server';
import { api, connectSocket } from './support/clients.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * A server node leaving a cluster (deploy, scale-in): clients must learn it is going away and
 * come back through the load balancer, not see a broken connection. Contract 004's raw
 * WebSocket gets 1001 (Going Away), not 1006; socket.io clients see a transport close, on which
 * they reconnect by themselves (a server-side disconnect would leave them disconnected for good).
 */
describe('a stopping server closes real-time connections so clients reconnect', () => {
  let system: RunningSystem;
  let node: DreamloomServer;
  let nodeUrl: string;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', env: { NANOBANANA_ANONYMOUS: 'true' } });
    // A second server node on the same core: the one this test stops.
    node = await createServer(system.core);
    nodeUrl = (await node.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    system?.sandbox.state.updateSettings({ latencyMs: 30 });
    await system?.stop();
  });

  it('raw WebSocket: 1001 Going Away; socket.io: transport close (the client reconnects)', async () => {
    system.sandbox.state.updateSettings({ latencyMs: 10_000 });
    const created = await api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
      body: { prompt: 'a long night', model: 'gemini-2.5-flash-image', count: 1, apiKey: 'AIza-test' },
    });
    expect(created.status).toBe(200);
    const raw = new WebSocket(`${nodeUrl.replace(/^http/, 'ws')}/api/v1/ws/generate/${created.body.data.id}`);
    await new Promise((resolve, reject) => {
      raw.once('open', resolve);
      raw.once('error', reject);
    });
    const rawClosed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));

    const socket = await connectSocket(nodeUrl, { token: system.admin.token });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    await node.close();
    expect(await rawClosed).toBe(1001);
    const reason = await disconnected;
    socket.io.reconnection(false);
    socket.disconnect();
    expect(reason).toBe('transport close');
  });
});
