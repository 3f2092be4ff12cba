import type { MediaAssetRecord } from '../media/media-asset.js';
import { isStaff, type Actor } from '../identity/actor.js';
import { sniffMime } from '../media/media.service.js';
import type { GenerationService } from '../generation/generation.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';
import { ReferenceRefusedError, type FetchedImage } from './reference-fetcher.js';

export interface OwnMediaReaderOptions {
  tasks: Pick<AnimeTaskRepository, 'asset' | 'assetByKey' | 'assetByStorageKey'>;
  storage: BlobStorage;
  /** Decides whether the actor may use a stored file (it depends on the file's task). */
  generation: Pick<GenerationService, 'mayUseMedia'>;
  /** PUBLIC_URL: media under it (`/media/<key>`, `/api/v1/images/<id or filename>`) is ours. */
  publicUrl: string;
  /** Same cap as for downloaded references. */
  maxBytes: number;
}

/** Where a Dreamloom media reference lives in storage. */
export interface OwnMediaLocation {
  key: string;
  mime: string;
}

const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

/**
 * Reads references that point at Dreamloom's own media straight from the storage port instead of
 * fetching them over HTTP. The SSRF guard rightly refuses the server's own (often loopback)
 * address, and going through storage lets us check that the acting member may use the file:
 * their own uploads and outputs, outputs of public generations, or what staff may see (media-access.ts).
 */
export class OwnMediaReader {
  private readonly base: URL;

  constructor(private readonly options: OwnMediaReaderOptions) {
    this.base = new URL(options.publicUrl);
  }

  /**
   * The stored file a reference names, or undefined when it is not Dreamloom media (then it is an
   * external URL for the SSRF-guarded fetcher). Throws REFERENCE_IMAGE_REFUSED for our media that
   * does not exist, is not an image, or belongs to someone else privately.
   */
  async locate(actor: Actor, reference: string): Promise<OwnMediaLocation | undefined> {
    const target = this.parse(reference);
    if (!target) return undefined;
    const { tasks } = this.options;
    let row: MediaAssetRecord | null = null;
    if (target.kind === 'key') {
      row = await tasks.assetByKey(target.key);
      if (!row) return this.referenceCopy(actor, target.key);
    } else {
      row = (await tasks.asset(target.name)) ?? (await tasks.assetByStorageKey(`uploads/${target.name}`));
    }
    if (!row) throw new ReferenceRefusedError('reference image was not found on Dreamloom');
    if (!(await this.mayUse(actor, row)))
      throw new ReferenceRefusedError('reference image is private Dreamloom media of another member');
    // A thumbnail URL names the thumbnail file; anything else names the original.
    const key = target.kind === 'key' ? target.key : row.storage_key;
    const mime = key === row.thumbnail_key && key !== row.storage_key ? 'image/webp' : row.mime;
    if (!IMAGE_MIMES.includes(mime)) throw new ReferenceRefusedError('reference image is not an image');
    return { key, mime };
  }

  /** The bytes of a Dreamloom media reference (see {@link locate}); undefined for external URLs. */
  async read(actor: Actor, reference: string): Promise<FetchedImage | undefined> {
    const location = await this.locate(actor, reference);
    if (!location) return undefined;
    let data: Buffer;
    try {
      data = await this.options.storage.get(location.key);
    } catch {
      throw new ReferenceRefusedError('reference image was not found on Dreamloom');
    }
    if (data.length > this.options.maxBytes)
      throw new ReferenceRefusedError(`reference image is larger than ${this.options.maxBytes} bytes`);
    const mime = sniffMime(data);
    if (!mime || !IMAGE_MIMES.includes(mime))
      throw new ReferenceRefusedError('reference image is not a PNG, JPEG, WebP or GIF image');
    return { data, mime };
  }

  /** A media key under PUBLIC_URL/media/, an image name under /api/v1/images/, or a bare media id. */
  private parse(
    reference: string,
  ): { kind: 'key'; key: string } | { kind: 'name'; name: string } | undefined {
    // Media ids are snowflakes; a member may paste the id of an uploaded image instead of its URL.
    if (/^\d{6,20}$/.test(reference)) return { kind: 'name', name: reference };
    let url: URL;
    try {
      url = new URL(reference);
    } catch {
      return undefined;
    }
    if (url.origin !== this.base.origin || url.username || url.password) return undefined;
    const prefix = this.base.pathname.replace(/\/+$/, '');
    if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
    const rest = url.pathname.slice(prefix.length);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      throw new ReferenceRefusedError('reference image URL is malformed');
    }
    if (decoded.includes('..') || decoded.includes('\\') || decoded.includes('\0'))
      throw new ReferenceRefusedError('reference image URL is malformed');
    if (decoded.startsWith('/media/')) return { kind: 'key', key: decoded.slice('/media/'.length) };
    if (decoded.startsWith('/api/v1/images/')) {
      const name = decoded.slice('/api/v1/images/'.length);
      if (!/^[A-Za-z0-9._-]{1,128}$/.test(name))
        throw new ReferenceRefusedError('reference image URL is malformed');
      return { kind: 'name', name };
    }
    // Other paths of our own server (the API, the admin) are no media: the guarded fetcher decides.
    return undefined;
  }

  /** References copied in at create time have no media row; their key names the member. */
  private async referenceCopy(actor: Actor, key: string): Promise<OwnMediaLocation> {
    const owner = /^references\/([^/]+)\/[^/]+$/.exec(key)?.[1];
    if (!owner || !(await this.options.storage.exists(key)))
      throw new ReferenceRefusedError('reference image was not found on Dreamloom');
    if (owner !== actor.id && !isStaff(actor))
      throw new ReferenceRefusedError('reference image is private Dreamloom media of another member');
    const mime = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' }[
      key.split('.').pop() ?? ''
    ];
    if (!mime) throw new ReferenceRefusedError('reference image is not an image');
    return { key, mime };
  }

  private async mayUse(actor: Actor, row: MediaAssetRecord): Promise<boolean> {
    // Uploads are personal; outputs are usable by others only when their generation is public.
    return this.options.generation.mayUseMedia(actor, row);
  }
}
