import { Readable } from 'node:stream';
import type { BlobStorage, ByteRange } from '../../ports/blob-storage.port.js';

/** Files in a map, for the 004 use cases' unit tests; `failDeletes` makes every delete fail. */
export class InMemoryBlobStorage implements BlobStorage {
  readonly files = new Map<string, Buffer>();
  failDeletes = false;

  async put(key: string, data: Buffer | Readable): Promise<void> {
    if (!Buffer.isBuffer(data)) throw new Error('in-memory storage takes buffers only');
    this.files.set(key, data);
  }

  async get(key: string): Promise<Buffer> {
    const data = this.files.get(key);
    if (!data) throw new Error(`no file ${key}`);
    return data;
  }

  async stream(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number }> {
    const data = await this.get(key);
    const part = range ? data.subarray(range.start, range.end + 1) : data;
    return { stream: Readable.from([part]), size: part.length };
  }

  async exists(key: string): Promise<boolean> {
    return this.files.has(key);
  }

  async delete(key: string): Promise<void> {
    if (this.failDeletes) throw new Error('storage unavailable');
    this.files.delete(key);
  }
}
