import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix:` (a test's or benchmark's own namespace) from a Redis that
 * others share: SCAN + DEL in pages, never FLUSHALL. Gives up at once when Redis is gone (a
 * cluster test may have stopped its own server already) instead of retrying forever.
 */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
