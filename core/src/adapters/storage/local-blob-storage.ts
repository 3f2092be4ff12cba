import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { BlobStorage, ByteRange } from '../../ports/blob-storage.port.js';
import { assertStorageKey } from './storage-key.js';

/** Media files in a local directory; writes go through a temp file so readers never see half a file. */
export class LocalBlobStorage implements BlobStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private resolve(key: string): string {
    assertStorageKey(key);
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new ValidationError(`Invalid storage key ${key}`);
    return full;
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      if (data instanceof Readable) await pipeline(data, createWriteStream(temp));
      else await writeFile(temp, data);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.resolve(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File');
      throw error;
    }
  }

  async stream(key: string, range?: ByteRange) {
    const target = this.resolve(key);
    try {
      const info = await stat(target);
      if (!info.isFile()) throw new NotFoundError('File');
      // createReadStream reads nothing for a start past the end and stops at the end by itself.
      return { stream: createReadStream(target, range), size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('File');
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.resolve(key), { force: true });
  }
}
