import type { MediaAssetRecord } from './media-asset.js';
import sharp from 'sharp';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import { ProviderError, type GeneratedAssetRef } from '../ports/image-provider.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { sniffAudio } from './audio-sniff.js';
import { MediaAssetExistsError, type MediaAssetRepository } from './media-asset.repository.js';

export interface MediaAssetView {
  id: string;
  url: string;
  thumbnailUrl: string | null;
  mime: string;
  width: number | null;
  height: number | null;
  sizeBytes: number;
  position: number;
}

interface Deps {
  /** Stored outputs' rows (the Sequelize adapter media-asset.repository.ts). */
  assets: MediaAssetRepository;
  storage: BlobStorage;
  ids: IdGenerator;
  clock: Clock;
  publicUrl: string;
  maxBytes: number;
  fetch?: typeof fetch;
}

/** Longest side of a thumbnail, in pixels. */
const THUMBNAIL_SIZE = 384;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
};

/** Recognises the formats we store by their magic bytes; provider Content-Type headers are not trusted. */
export function sniffMime(data: Buffer): string | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (data.subarray(4, 8).toString('latin1') === 'ftyp') return 'video/mp4';
  // Music uploaded to the story catalog (mp3, Ogg, WAVE, FLAC).
  return sniffAudio(data)?.mime ?? null;
}

/**
 * Copies provider outputs into Dreamloom's storage as they arrive (provider URLs expire),
 * with a thumbnail and the measured width/height/mime/size.
 */
export class MediaService {
  private readonly fetch: typeof fetch;

  constructor(private readonly deps: Deps) {
    this.fetch = deps.fetch ?? globalThis.fetch;
  }

  urlFor(key: string): string {
    return `${this.deps.publicUrl.replace(/\/$/, '')}/media/${key}`;
  }

  view(row: MediaAssetRecord): MediaAssetView {
    return {
      id: row.id,
      url: this.urlFor(row.storage_key),
      thumbnailUrl: row.thumbnail_key ? this.urlFor(row.thumbnail_key) : null,
      mime: row.mime,
      width: row.width,
      height: row.height,
      sizeBytes: row.size_bytes,
      position: row.position,
    };
  }

  /** Downloads with a size cap; a provider that sends more than the cap is refused, not buffered. */
  async download(url: string, signal?: AbortSignal): Promise<Buffer> {
    const response = await this.fetch(url, { signal });
    if (!response.ok || !response.body)
      throw new ProviderError('upstream_error', `Output download failed: HTTP ${response.status}`);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > this.deps.maxBytes)
        throw new ProviderError('upstream_error', `Output larger than ${this.deps.maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  /**
   * Stores output `position` of a task. Idempotent: a retried job finds the row already there
   * (unique task_id + position) and gets it back instead of a duplicate.
   */
  async ingestTaskOutput(
    input: {
      taskId: string;
      userId: string;
      position: number;
      kind: 'image' | 'video';
      ref: GeneratedAssetRef;
      /** The caller counted the stored outputs and knows this position is new: skip the lookup. */
      knownNew?: boolean;
    },
    signal?: AbortSignal,
  ): Promise<MediaAssetRecord> {
    const { assets } = this.deps;
    if (!input.knownNew) {
      const existing = await assets.findOutput(input.taskId, input.position);
      if (existing) return existing;
    }
    const data = input.ref.data ?? (input.ref.url ? await this.download(input.ref.url, signal) : null);
    if (!data) throw new ProviderError('upstream_error', 'Output has neither URL nor data');
    const mime = sniffMime(data);
    // Only images and videos are generation outputs (audio is recognised for stored music only).
    if (!mime || !EXTENSIONS[mime])
      throw new ProviderError('upstream_error', 'Output is not a recognised image or video');
    const baseKey = `tasks/${input.taskId}/${input.position}`;
    const storageKey = `${baseKey}.${EXTENSIONS[mime]}`;
    let width: number | null = null;
    let height: number | null = null;
    let thumbnailKey: string | null = null;
    if (mime.startsWith('image/')) {
      const image = sharp(data);
      const meta = await image.metadata();
      width = meta.width ?? null;
      height = meta.height ?? null;
      // An image already within thumbnail size is its own thumbnail: no second file, no encode.
      if ((width ?? 0) > THUMBNAIL_SIZE || (height ?? 0) > THUMBNAIL_SIZE) {
        thumbnailKey = `${baseKey}.thumb.webp`;
        const thumbnail = await image
          .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 80 })
          .toBuffer();
        await this.deps.storage.put(thumbnailKey, thumbnail, 'image/webp');
      } else {
        thumbnailKey = storageKey;
      }
    }
    await this.deps.storage.put(storageKey, data, mime);
    try {
      return await assets.create({
        id: this.deps.ids.snowflake(),
        task_id: input.taskId,
        user_id: input.userId,
        position: input.position,
        kind: input.kind,
        storage_key: storageKey,
        thumbnail_key: thumbnailKey,
        mime,
        width,
        height,
        size_bytes: data.length,
        original_name: null,
        created_at: this.deps.clock.now(),
      });
    } catch (error) {
      if (!(error instanceof MediaAssetExistsError)) {
        // The task was deleted meanwhile (foreign key) or the write failed: unless another run of
        // this position holds the same keys, no row will ever point at these files.
        const held = await assets.hasOutput(input.taskId, input.position).catch(() => undefined);
        if (held === false)
          for (const key of new Set([storageKey, thumbnailKey]))
            if (key) await this.deps.storage.delete(key).catch(() => undefined);
        throw error;
      }
      const winner = await assets.findOutput(input.taskId, input.position);
      if (!winner) throw error.conflict;
      return winner;
    }
  }
}
