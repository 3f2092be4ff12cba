import type { Readable } from 'node:stream';

/** Where media files live (a local directory by default; S3-compatible later). Keys are `/`-separated. */
export interface BlobStorage {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Streams a file; throws NotFoundError when it does not exist. */
  stream(key: string): Promise<{ stream: Readable; size: number }>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
