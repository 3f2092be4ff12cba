import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createBlobStorage } from './create-blob-storage.js';
import { LocalBlobStorage } from './local-blob-storage.js';
import { S3BlobStorage } from './s3-blob-storage.js';
import { parseS3Location } from './s3-location.js';

const REQUIRED = { SECRET_KEY: 'k'.repeat(32) };

describe('STORAGE_URL', () => {
  it('reads bucket, prefix, endpoint, region and path style', () => {
    expect(
      parseS3Location(
        's3://dreamloom-media/prod/eu?endpoint=http://127.0.0.1:9000&region=eu-west-1&forcePathStyle=true',
      ),
    ).toEqual({
      bucket: 'dreamloom-media',
      prefix: 'prod/eu',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
    expect(parseS3Location('s3://dreamloom-media')).toEqual({
      bucket: 'dreamloom-media',
      prefix: '',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
    });
  });

  it('is optional: unset keeps the local folder', () => {
    expect(loadConfig(REQUIRED).STORAGE_URL).toBeUndefined();
  });

  it.each([
    ['http://bucket', /only s3:\/\//],
    ['s3://B', /invalid bucket name/],
    ['s3://dreamloom-media?endpoint=ftp://x', /endpoint must be/],
    ['s3://dreamloom-media?forcePathStyle=yes', /forcePathStyle/],
    ['s3://dreamloom-media?acl=public-read', /unknown option "acl"/],
  ])('stops the process naming STORAGE_URL for %s', (value, message) => {
    expect(() => loadConfig({ ...REQUIRED, STORAGE_URL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, STORAGE_URL: value })).toThrow(message);
    expect(() => loadConfig({ ...REQUIRED, STORAGE_URL: value })).toThrow(/STORAGE_URL/);
  });

  it('refuses credentials in the URL without repeating them', () => {
    let error: unknown;
    try {
      loadConfig({ ...REQUIRED, STORAGE_URL: 's3://AKIAEXAMPLE:very-secret-key@dreamloom-media' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/S3_ACCESS_KEY_ID/);
    expect(message).not.toMatch(/very-secret-key|AKIAEXAMPLE/);
  });
});

describe('createBlobStorage', () => {
  it('uses the local folder without STORAGE_URL and the bucket with it', () => {
    expect(createBlobStorage({ DATA_DIR: 'data' })).toBeInstanceOf(LocalBlobStorage);
    expect(
      createBlobStorage({
        DATA_DIR: 'data',
        STORAGE_URL: 's3://dreamloom-media',
        S3_ACCESS_KEY_ID: 'id',
        S3_SECRET_ACCESS_KEY: 'secret',
      }),
    ).toBeInstanceOf(S3BlobStorage);
  });

  it('refuses half a credential pair instead of silently using another identity', () => {
    expect(() =>
      createBlobStorage({ DATA_DIR: 'data', STORAGE_URL: 's3://dreamloom-media', S3_ACCESS_KEY_ID: 'id' }),
    ).toThrow(/must be set together/);
  });
});
