import { describe, expect, it } from 'vitest';
import type { Actor } from '../identity/actor.js';
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import { mayUseMedia } from '../media/media-access.js';
import type { TaskAccess } from '../generation/task-store.js';
import { OwnMediaReader } from './own-media.reader.js';
import { ReferenceRefusedError } from './reference-fetcher.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

type Row = Record<string, unknown>;
const assets: Row[] = [
  {
    id: '700000000001',
    task_id: null,
    user_id: 'u1',
    storage_key: 'uploads/a.png',
    thumbnail_key: null,
    mime: 'image/png',
  },
  {
    id: '700000000002',
    task_id: 't-pub',
    user_id: 'u1',
    storage_key: 'tasks/t-pub/0.png',
    thumbnail_key: 'tasks/t-pub/0.thumb.webp',
    mime: 'image/png',
  },
  {
    id: '700000000003',
    task_id: 't-priv',
    user_id: 'u1',
    storage_key: 'tasks/t-priv/0.png',
    thumbnail_key: null,
    mime: 'image/png',
  },
  {
    id: '700000000004',
    task_id: 't-vid',
    user_id: 'u1',
    storage_key: 'tasks/t-vid/0.mp4',
    thumbnail_key: null,
    mime: 'video/mp4',
  },
];
const tasks: Row[] = [
  { id: 't-pub', visibility: 'public' },
  { id: 't-priv', visibility: 'private' },
  { id: 't-vid', visibility: 'public' },
];

/** Just the reads the reader uses, over the rows above. */
const asset = (match: (row: Row) => boolean) =>
  Promise.resolve((assets.find(match) as unknown as MediaAssetRecord | undefined) ?? null);
const mediaReads = {
  asset: (id: string) => asset((row) => row.id === id),
  assetByKey: (key: string) => asset((row) => row.storage_key === key || row.thumbnail_key === key),
  assetByStorageKey: (key: string) => asset((row) => row.storage_key === key),
};

const files = new Map<string, Buffer>([
  ['uploads/a.png', PNG],
  ['tasks/t-pub/0.png', PNG],
  ['tasks/t-pub/0.thumb.webp', PNG],
  ['tasks/t-priv/0.png', PNG],
  ['references/u1/r.png', PNG],
]);
const storage = {
  get: async (key: string) => {
    const data = files.get(key);
    if (!data) throw new Error('missing');
    return data;
  },
  exists: async (key: string) => files.has(key),
} as unknown as BlobStorage;

const actor = (id: string, role: Actor['role'] = 'user'): Actor => ({
  id,
  role,
  username: null,
  displayName: null,
});
const owner = actor('u1');
const other = actor('u2');

function reader(publicUrl = 'http://127.0.0.1:8080') {
  return new OwnMediaReader({
    tasks: mediaReads,
    storage,
    // The real access rule over the task rows above.
    generation: {
      mayUseMedia: (who, asset) =>
        mayUseMedia(
          {
            findAccess: async (id) => (tasks.find((row) => row.id === id) as TaskAccess | undefined) ?? null,
          },
          who,
          asset,
        ),
    },
    publicUrl,
    maxBytes: 1024,
  });
}

describe('OwnMediaReader', () => {
  it('leaves URLs that are not Dreamloom media to the SSRF-guarded fetcher', async () => {
    const media = reader();
    for (const url of [
      'https://example.com/media/uploads/a.png',
      'http://localhost:8080/media/uploads/a.png', // same machine, another name: not our PUBLIC_URL
      'http://127.0.0.1:9090/media/uploads/a.png',
      'http://127.0.0.1:8080/api/docs',
      'not a url',
    ]) {
      expect(await media.locate(other, url), url).toBeUndefined();
    }
  });

  it('reads the owner’s upload by /api/v1/images URL, /media URL or bare id, straight from storage', async () => {
    const media = reader();
    for (const ref of [
      'http://127.0.0.1:8080/api/v1/images/a.png',
      'http://127.0.0.1:8080/api/v1/images/700000000001',
      'http://127.0.0.1:8080/media/uploads/a.png',
      '700000000001',
    ]) {
      expect(await media.read(owner, ref), ref).toEqual({ data: PNG, mime: 'image/png' });
    }
    expect(await media.locate(actor('s1', 'staff'), '700000000001')).toEqual({
      key: 'uploads/a.png',
      mime: 'image/png',
    });
  });

  it('honours a PUBLIC_URL with a path prefix', async () => {
    const media = reader('https://dreamloom.example/app/');
    expect(await media.locate(owner, 'https://dreamloom.example/app/media/uploads/a.png')).toEqual({
      key: 'uploads/a.png',
      mime: 'image/png',
    });
    expect(await media.locate(owner, 'https://dreamloom.example/media/uploads/a.png')).toBeUndefined();
  });

  it('lets others use public outputs (and their thumbnails) but not uploads, private outputs or reference copies', async () => {
    const media = reader();
    expect(await media.locate(other, 'http://127.0.0.1:8080/media/tasks/t-pub/0.png')).toEqual({
      key: 'tasks/t-pub/0.png',
      mime: 'image/png',
    });
    expect(await media.locate(other, 'http://127.0.0.1:8080/media/tasks/t-pub/0.thumb.webp')).toEqual({
      key: 'tasks/t-pub/0.thumb.webp',
      mime: 'image/webp',
    });
    for (const ref of [
      'http://127.0.0.1:8080/api/v1/images/a.png',
      '700000000001',
      'http://127.0.0.1:8080/media/tasks/t-priv/0.png',
      'http://127.0.0.1:8080/media/references/u1/r.png',
    ]) {
      await expect(media.locate(other, ref), ref).rejects.toThrow(
        /private Dreamloom media of another member/,
      );
    }
    expect(await media.locate(owner, 'http://127.0.0.1:8080/media/references/u1/r.png')).toEqual({
      key: 'references/u1/r.png',
      mime: 'image/png',
    });
  });

  it('refuses missing files, videos and path tricks under our own URL', async () => {
    const media = reader();
    for (const ref of [
      'http://127.0.0.1:8080/media/tasks/nothing/0.png',
      'http://127.0.0.1:8080/media/tasks/t-vid/0.mp4',
      'http://127.0.0.1:8080/media/..%2F..%2Fetc%2Fpasswd',
      'http://127.0.0.1:8080/api/v1/images/%2E%2E%2Fsecret',
      '799999999999',
    ]) {
      await expect(media.locate(owner, ref), ref).rejects.toBeInstanceOf(ReferenceRefusedError);
    }
  });
});
