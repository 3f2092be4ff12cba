import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalBlobStorage,
  NotFoundError,
  S3BlobStorage,
  ValidationError,
  parseS3Location,
  type BlobStorage,
} from '@dreamloom/core';
import { startS3Server, type TestS3Server } from './support/s3-server.js';

/**
 * The one contract of the media store (core/src/ports/blob-storage.port.ts), held by both adapters:
 * the local folder (embedded default) and an S3-compatible bucket (s3rver, a real S3-protocol server).
 */
let s3: TestS3Server;
let localRoot: string;

beforeAll(async () => {
  s3 = await startS3Server();
  localRoot = mkdtempSync(path.join(tmpdir(), 'dreamloom-blobs-'));
});

afterAll(async () => {
  await s3?.close();
  rmSync(localRoot, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const adapters: [string, () => BlobStorage][] = [
  ['local folder', () => new LocalBlobStorage(localRoot)],
  ['S3 bucket', () => new S3BlobStorage(parseS3Location(s3.storageUrl('contract')), s3.credentials)],
];

describe.each(adapters)('BlobStorage contract: %s', (_name, make) => {
  const bytes = Buffer.from('0123456789abcdefghij');

  it('stores a buffer and gives it back whole, as a stream and with its size', async () => {
    const storage = make();
    await storage.put('tasks/t1/0.png', bytes, 'image/png');
    expect(await storage.get('tasks/t1/0.png')).toEqual(bytes);
    const { stream, size } = await storage.stream('tasks/t1/0.png');
    expect(size).toBe(20);
    expect(await readAll(stream)).toEqual(bytes);
    expect(await storage.exists('tasks/t1/0.png')).toBe(true);
  });

  it('stores a stream larger than one multipart part without losing or reordering bytes', async () => {
    const storage = make();
    // 11 MiB in 1 MiB chunks of different bytes: three 5 MiB parts on S3, several writes locally.
    const chunks = Array.from({ length: 11 }, (_, index) => Buffer.alloc(1024 * 1024, index + 1));
    await storage.put('tasks/t2/0.mp4', Readable.from(chunks), 'video/mp4');
    const stored = await storage.get('tasks/t2/0.mp4');
    expect(stored.length).toBe(11 * 1024 * 1024);
    expect(stored.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('replaces a file written again under the same key', async () => {
    const storage = make();
    await storage.put('icons/same.webp', Buffer.from('first version'), 'image/webp');
    await storage.put('icons/same.webp', Buffer.from('second'), 'image/webp');
    expect((await storage.get('icons/same.webp')).toString()).toBe('second');
  });

  it('streams a byte range with the whole size, clamps its end, and is empty past the end', async () => {
    const storage = make();
    await storage.put('tasks/t3/0.mp4', bytes, 'video/mp4');
    const middle = await storage.stream('tasks/t3/0.mp4', { start: 5, end: 9 });
    expect(middle.size).toBe(20);
    expect((await readAll(middle.stream)).toString()).toBe('56789');
    const tail = await storage.stream('tasks/t3/0.mp4', { start: 15, end: 1000 });
    expect((await readAll(tail.stream)).toString()).toBe('fghij');
    const past = await storage.stream('tasks/t3/0.mp4', { start: 20, end: 30 });
    expect(past.size).toBe(20);
    expect((await readAll(past.stream)).length).toBe(0);
  });

  it('answers NotFoundError for a missing file, and exists() false', async () => {
    const storage = make();
    await expect(storage.get('tasks/none/0.png')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.stream('tasks/none/0.png')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.stream('tasks/none/0.png', { start: 0, end: 10 })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await storage.exists('tasks/none/0.png')).toBe(false);
  });

  it('deletes a file, and deleting a missing one is no error', async () => {
    const storage = make();
    await storage.put('uploads/gone.png', bytes, 'image/png');
    await storage.delete('uploads/gone.png');
    expect(await storage.exists('uploads/gone.png')).toBe(false);
    await expect(storage.get('uploads/gone.png')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.delete('uploads/gone.png')).resolves.toBeUndefined();
  });

  it('refuses keys that could leave the store, and they name no file', async () => {
    const storage = make();
    for (const key of ['../escape.png', '/absolute.png', 'a//b.png', 'a/./b.png', 'a\\b.png', '']) {
      await expect(storage.put(key, bytes, 'image/png'), key).rejects.toBeInstanceOf(ValidationError);
      expect(await storage.exists(key), key).toBe(false);
    }
  });

  it('leaves no file behind when the incoming stream fails', async () => {
    const storage = make();
    async function* broken() {
      yield Buffer.alloc(64 * 1024, 1);
      throw new Error('client went away');
    }
    await expect(storage.put('uploads/half.png', Readable.from(broken()), 'image/png')).rejects.toThrow(
      'client went away',
    );
    expect(await storage.exists('uploads/half.png')).toBe(false);
  });
});

describe('S3 adapter specifics', () => {
  it('keeps every object under the STORAGE_URL prefix, so deployments can share a bucket', async () => {
    const storage = new S3BlobStorage(parseS3Location(s3.storageUrl('deploy-a')), s3.credentials);
    await storage.put('tasks/p/0.png', Buffer.from('x'), 'image/png');
    expect(await s3.listKeys('deploy-a/')).toEqual(['deploy-a/tasks/p/0.png']);
    const other = new S3BlobStorage(parseS3Location(s3.storageUrl('deploy-b')), s3.credentials);
    expect(await other.exists('tasks/p/0.png')).toBe(false);
  });

  it('sends the configured credentials: an unknown access key is refused, not ignored', async () => {
    // s3rver checks the access key id but does not recompute SigV4 signatures, so a wrong key id
    // (not a wrong secret) is what shows the credentials reach the server.
    const storage = new S3BlobStorage(parseS3Location(s3.storageUrl('creds')), {
      accessKeyId: 'SOMEONE-ELSE',
      secretAccessKey: s3.credentials.secretAccessKey,
    });
    await expect(storage.put('uploads/x.png', Buffer.from('x'), 'image/png')).rejects.toThrow(/Access Key/i);
    expect(await s3.listKeys('creds/')).toEqual([]);
  });
});
