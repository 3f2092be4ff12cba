import path from 'node:path';
import type { AppConfig } from '../../config.js';
import type { BlobStorage } from '../../ports/blob-storage.port.js';
import { LocalBlobStorage } from './local-blob-storage.js';
import { parseS3Location } from './s3-location.js';
import { S3BlobStorage } from './s3-blob-storage.js';

type StorageConfig = Pick<
  AppConfig,
  'DATA_DIR' | 'STORAGE_URL' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'
>;

/**
 * The media store a process uses: the S3-compatible bucket of `STORAGE_URL` when set (required as
 * soon as servers and workers run on more than one machine), else the folder `DATA_DIR/media`.
 */
export function createBlobStorage(config: StorageConfig): BlobStorage {
  if (!config.STORAGE_URL) return new LocalBlobStorage(path.join(config.DATA_DIR, 'media'));
  // One of the two alone would silently fall back to the SDK's default chain: a wrong identity.
  if (Boolean(config.S3_ACCESS_KEY_ID) !== Boolean(config.S3_SECRET_ACCESS_KEY))
    throw new Error('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither)');
  const credentials =
    config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
      : undefined;
  return new S3BlobStorage(parseS3Location(config.STORAGE_URL), credentials);
}
