import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/**
 * A real S3-protocol server for a test file: s3rver (an npm dev dependency, so `npm ci` installs
 * it; MinIO has no Debian package and cannot be downloaded here) in this process, on 127.0.0.1
 * and a free port, storing in a fresh temp directory that close() removes. It knows one access
 * key (S3RVER / S3RVER) and refuses others, but does not verify SigV4 signatures themselves.
 */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** `STORAGE_URL` for this bucket (optionally under a key prefix). */
  storageUrl(prefix?: string): string;
  /** The environment a Dreamloom process needs to store media in this bucket. */
  env(prefix?: string): Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every key in the bucket (to see what was stored or deleted, without going through Dreamloom). */
  listKeys(prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'dreamloom-media'): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'dreamloom-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const storageUrl = (prefix = '') =>
    `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`;
  return {
    endpoint,
    bucket,
    credentials,
    storageUrl,
    env: (prefix) => ({
      STORAGE_URL: storageUrl(prefix),
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    }),
    async listKeys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
