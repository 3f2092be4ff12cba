import { describe, expect, it } from 'vitest';
import { MemberPagesCache } from './member-pages.cache.js';
import { TaskSnapshotCache } from './task-snapshot.cache.js';
import { AccessTokenCache } from '../identity/access-token.cache.js';
import type { Actor } from '../identity/actor.js';

/** A load the test finishes by hand, to place invalidations while it runs. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe('TaskSnapshotCache', () => {
  it('remembers a snapshot until an event of its task drops it', async () => {
    const cache = new TaskSnapshotCache<string>();
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get('t1', 0, load)).toBe('v1');
    expect(await cache.get('t1', 1, load)).toBe('v1');
    cache.forget(['t2']);
    expect(await cache.get('t1', 2, load)).toBe('v1');
    cache.forget(['t1']);
    expect(await cache.get('t1', 3, load)).toBe('v2');
  });

  it('neither remembers nor shares a load that an invalidation overtook', async () => {
    const cache = new TaskSnapshotCache<string>();
    const old = deferred<string>();
    const first = cache.get('t1', 0, () => old.promise);
    cache.forget(['t1']);
    // A poll after the event does not wait for the load that began before it.
    const second = cache.get('t1', 1, async () => 'after');
    old.resolve('before');
    expect(await first).toBe('before');
    expect(await second).toBe('after');
    expect(await cache.get('t1', 2, async () => 'unused')).toBe('after');
  });

  it('does not remember a task that does not exist, and lets a snapshot age out', async () => {
    const cache = new TaskSnapshotCache<string>(1000);
    expect(await cache.get('t1', 0, async () => null)).toBeNull();
    expect(await cache.get('t1', 0, async () => 'now')).toBe('now');
    expect(await cache.get('t1', 999, async () => 'later')).toBe('now');
    expect(await cache.get('t1', 1000, async () => 'later')).toBe('later');
  });
});

describe('MemberPagesCache', () => {
  const page = (name: string, taskIds: string[]) => async () => ({ page: name, taskIds });

  it('drops exactly the pages showing a changed task, and every page of a changed owner', async () => {
    const cache = new MemberPagesCache();
    await cache.get('alice', 'p1', 0, page('a1', ['t1', 't2']));
    await cache.get('alice', 'p2', 0, page('a2', ['t3']));
    await cache.get('bob', 'p1', 0, page('b1', ['t9']));
    cache.forgetTasks(['t3']);
    expect(await cache.get('alice', 'p1', 1, page('reloaded', []))).toBe('a1');
    expect(await cache.get('alice', 'p2', 1, page('a2 again', ['t3']))).toBe('a2 again');
    cache.forgetOwners(['alice']);
    expect(await cache.get('alice', 'p1', 2, page('a1 again', ['t1']))).toBe('a1 again');
    expect(await cache.get('alice', 'p2', 2, page('a2 third', ['t3']))).toBe('a2 third');
    expect(await cache.get('bob', 'p1', 2, page('reloaded', []))).toBe('b1');
  });

  it('keeps owners apart: the same query of another owner is its own page', async () => {
    const cache = new MemberPagesCache();
    await cache.get('alice', 'p1', 0, page('alice page', ['t1']));
    expect(await cache.get('bob', 'p1', 0, page('bob page', ['t2']))).toBe('bob page');
  });

  it('does not remember a page read while anything changed, nor one whose load failed', async () => {
    const cache = new MemberPagesCache();
    const slow = deferred<{ page: string; taskIds: string[] }>();
    const first = cache.get('alice', 'p1', 0, () => slow.promise);
    cache.forgetOwners(['alice']);
    slow.resolve({ page: 'before the change', taskIds: [] });
    expect(await first).toBe('before the change');
    expect(await cache.get('alice', 'p1', 1, page('after', []))).toBe('after');
    await expect(
      cache.get('bob', 'p1', 1, async () => {
        throw new Error('not found');
      }),
    ).rejects.toThrow('not found');
    expect(await cache.get('bob', 'p1', 1, page('found', []))).toBe('found');
  });

  it('holds at most maxEntries pages, dropping the oldest', async () => {
    const cache = new MemberPagesCache(60_000, 2);
    await cache.get('a', 'p', 0, page('a', ['t1']));
    await cache.get('b', 'p', 0, page('b', ['t2']));
    await cache.get('c', 'p', 0, page('c', ['t3']));
    expect(await cache.get('a', 'p', 1, page('a reloaded', []))).toBe('a reloaded');
    expect(await cache.get('c', 'p', 1, page('unused', []))).toBe('c');
  });
});

describe('AccessTokenCache', () => {
  const actor: Actor = { id: 'u1', role: 'user', username: null, displayName: null };

  it('serves a token until it expires, is revoked or its user changes', () => {
    const cache = new AccessTokenCache();
    cache.put('h1', actor, 5000, 0, cache.mark());
    expect(cache.get('h1', 4999)).toBe(actor);
    expect(cache.get('h1', 5000)).toBeUndefined();
    cache.put('h1', actor, 5000, 0, cache.mark());
    cache.forgetTokens(['h1']);
    expect(cache.get('h1', 1)).toBeUndefined();
    cache.put('h2', actor, 5000, 0, cache.mark());
    cache.forgetUsers(['u1']);
    expect(cache.get('h2', 1)).toBeUndefined();
  });

  it('does not remember a token read before a revocation arrived', () => {
    const cache = new AccessTokenCache();
    const mark = cache.mark();
    cache.forgetTokens(['h1']);
    cache.put('h1', actor, 5000, 0, mark);
    expect(cache.get('h1', 1)).toBeUndefined();
  });
});
