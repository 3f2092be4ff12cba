import { it } from 'vitest';
import { io } from 'socket.io-client';
import { api } from './support/clients.js';
import { startSystem } from './support/system.js';

it('debug', async () => {
  const system = await startSystem();
  const t = { token: system.admin.token };
  try {
    system.sandbox.state.updateSettings({ latencyMs: 1500 });
    const b = await api<any>(system.baseUrl, 'POST', '/api/v1/jimeng/images/batch-generate', { ...t, body: { work_id: 'w', batch_data: [{ storyboard_id: 's1', prompt: 'a cat' }, { storyboard_id: 's2', prompt: 'a dog' }] } });
    const socket = io(system.baseUrl, { auth: { token: system.admin.token } });
    socket.onAny((name, payload) => console.log('event', name, JSON.stringify(payload).slice(0, 400)));
    socket.on('connect', () => socket.emit('subscribe', { room: `batch:${b.body.data.batch_id}` }, (ack: unknown) => console.log('ack', ack)));
    socket.on('connect_error', (e) => console.log('connect_error', e.message));
    await new Promise((r) => setTimeout(r, 6000));
    socket.close();
  } finally {
    await system.stop();
  }
}, 60_000);
