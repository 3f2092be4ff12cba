import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChild, type ClusterChild } from './child-process.js';
import { freePort } from './free-port.js';

export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * A redis-server of the test's own, on a free loopback port, without persistence: a test that
 * FLUSHALLs must never do it to the Redis other tests (or people) share.
 */
export async function startOwnRedis(
  binary = process.env.REDIS_SERVER_BIN ?? 'redis-server',
): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'dreamloom-redis-'));
  const child: ClusterChild = startChild({
    name: 'redis',
    command: binary,
    args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    cwd: dir,
    env: process.env,
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  const { Redis } = await import('ioredis');
  for (;;) {
    if (!child.running()) throw new Error(`redis-server exited (${await child.exited()}):\n${child.tail()}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') break;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadline) {
      await child.kill();
      throw new Error(`redis-server did not answer on ${url}:\n${child.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      await child.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
