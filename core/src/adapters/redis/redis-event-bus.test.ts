import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger.js';
import type { DomainEvent } from '../../ports/event-bus.port.js';
import { RedisEventBus } from './redis-event-bus.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisEventBus', () => {
  const publisher = new Redis(REDIS_URL);
  const bus = new RedisEventBus(
    publisher,
    `test-bus-${randomBytes(4).toString('hex')}`,
    createLogger({ level: 'silent' }),
  );
  afterAll(async () => {
    await bus.close();
    publisher.disconnect();
  });

  it('delivers events published in one turn together, in order, and resolves each publish', async () => {
    const seen: DomainEvent[] = [];
    await bus.subscribe((event) => seen.push(event));
    const events = Array.from({ length: 5 }, (_, index) => ({
      room: `r:${index}`,
      name: 'e',
      payload: { index },
    }));
    // Count what reaches the socket's system calls: one write (one PUBLISH) for the batch.
    const socket = (
      publisher as unknown as { stream: Record<'_write' | '_writev', (...args: never[]) => void> }
    ).stream;
    const calls: string[] = [];
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket);
      socket[method] = (...args: never[]) => {
        calls.push(method);
        original(...args);
      };
    }
    await Promise.all(events.map((event) => bus.publish(event)));
    delete (socket as Partial<typeof socket>)._write;
    delete (socket as Partial<typeof socket>)._writev;
    expect(calls).toHaveLength(1);
    const deadline = Date.now() + 2000;
    while (seen.length < events.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual(events);
  });

  it('still accepts single events from a node that publishes them one by one', async () => {
    const seen: DomainEvent[] = [];
    await bus.subscribe((event) => seen.push(event));
    const single = { room: 'r:single', name: 'e', payload: { one: true } };
    await publisher.publish((bus as unknown as { channel: string }).channel, JSON.stringify(single));
    const deadline = Date.now() + 2000;
    while (!seen.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toEqual([single]);
  });

  it('rejects the publishes of a batch the connection cannot send', async () => {
    const closed = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    const offline = new RedisEventBus(closed, 'test-bus-offline', createLogger({ level: 'silent' }));
    await expect(offline.publish({ room: 'r', name: 'e', payload: {} })).rejects.toThrow();
    closed.disconnect();
  });
});
