import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { BlobStorage, ByteRange } from '../../ports/blob-storage.port.js';
import type { S3Location } from './s3-location.js';
import { assertStorageKey } from './storage-key.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Media files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …), so every server and worker
 * reads what any other one wrote. Objects are private; the server streams them to clients
 * (server/src/routes/media.routes.ts), so the bucket never needs a public policy.
 */
export class S3BlobStorage implements BlobStorage {
  private readonly client: S3Client;

  constructor(
    private readonly location: S3Location,
    credentials?: S3Credentials,
  ) {
    this.client = new S3Client({
      region: location.region,
      endpoint: location.endpoint,
      forcePathStyle: location.forcePathStyle,
      credentials,
      // SDK releases since 2025 add CRC32 checksums to every upload, as aws-chunked trailers for
      // streams; many S3-compatible servers reject or mis-store those. Checksums only where S3
      // demands them keeps every server working; TLS and S3's own MD5/ETag still guard the bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A dead endpoint fails a request within seconds instead of hanging a media response;
      // requestTimeout is the socket's idle time, so long video streams are not cut off.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    });
  }

  private objectKey(key: string): string {
    assertStorageKey(key);
    return this.location.prefix ? `${this.location.prefix}/${key}` : key;
  }

  async put(key: string, data: Buffer | Readable, contentType: string): Promise<void> {
    // lib-storage sends small bodies in one PUT and streams large ones as a multipart upload of
    // 5 MiB parts (at most queueSize parts in memory); S3 makes the object visible only when complete.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        Body: data,
        ContentType: contentType,
      },
      queueSize: 2,
    });
    await upload.done();
  }

  async get(key: string): Promise<Buffer> {
    const { stream } = await this.stream(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async stream(key: string, range?: ByteRange): Promise<{ stream: Readable; size: number }> {
    let output: GetObjectCommandOutput;
    try {
      output = await this.client.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError('File');
      // S3 answers 416 for a range starting past the end; the port promises an empty stream.
      if (range && errorName(error) === 'InvalidRange')
        return { stream: Readable.from([]), size: await this.size(key) };
      throw error;
    }
    const body = output.Body as Readable;
    // With a range, ContentLength is the range's; the whole size is after the `/` of Content-Range.
    const total = output.ContentRange ? Number(output.ContentRange.split('/')[1]) : output.ContentLength;
    return { stream: body, size: total ?? 0 };
  }

  private async size(key: string): Promise<number> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError('File');
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.size(key);
      return true;
    } catch (error) {
      // An invalid key names no file, as on the local disk; a broken connection is not "missing".
      if (error instanceof NotFoundError || error instanceof ValidationError) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 deletes are idempotent: deleting a missing object succeeds, as the port asks.
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }),
    );
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** NoSuchKey from GET, a bare 404 (`NotFound`) from HEAD, which has no body to name the error. */
function isMissing(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound';
}
