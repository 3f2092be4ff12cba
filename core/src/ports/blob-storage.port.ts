import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of a file, both inclusive (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where media files live: a local directory (the embedded default) or an S3-compatible bucket
 * shared by every server and worker (`STORAGE_URL`). Keys are `/`-separated relative paths.
 */
export interface BlobStorage {
  /** Stores a file whole or not at all: readers never see half of it. A stream is never buffered whole. */
  put(key: string, data: Buffer | Readable, contentType: string): Promise<void>;
  /** Reads a whole file; throws NotFoundError when it does not exist. */
  get(key: string): Promise<Buffer>;
  /**
   * Streams a file, or only `range` of it (clamped to the file; empty when it starts past the end).
   * `size` is always the whole file's size. Throws NotFoundError when the file does not exist.
   */
  stream(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number }>;
  exists(key: string): Promise<boolean>;
  /** Removes a file; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
}
