import { AppError } from '../errors.js';
import { sniffMime } from '../media/media.service.js';
import { OutboundRefusedError } from '../shared/outbound/outbound-errors.js';
import { OutboundPolicy } from '../shared/outbound/outbound-policy.js';

export { isBlockedAddress } from '../shared/outbound/address-ranges.js';

export class ReferenceRefusedError extends AppError {
  constructor(message: string) {
    super('REFERENCE_IMAGE_REFUSED', message, { status: 400 });
  }
}

export interface ReferenceFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  /** The outbound (SSRF) policy; when absent, one trusting only `allowedHosts`. */
  policy?: OutboundPolicy;
  /** Host names or IPs (as written in the URL) allowed even when they resolve to private addresses. */
  allowedHosts?: string[];
  /** Image types accepted after the magic-byte check. */
  allowedMimes?: string[];
}

export interface FetchedImage {
  data: Buffer;
  mime: string;
}

/**
 * Downloads member-supplied reference images under the outbound policy (http/https only, every
 * address checked after DNS resolution in the socket's own lookup, so DNS rebinding is refused
 * too); no redirects; size capped while streaming; the bytes must be a real image by their magic
 * bytes, whatever the Content-Type says.
 */
export class ReferenceFetcher {
  private readonly policy: OutboundPolicy;

  constructor(private readonly options: ReferenceFetcherOptions) {
    this.policy = options.policy ?? new OutboundPolicy({ allowedHosts: options.allowedHosts ?? [] });
  }

  async fetch(rawUrl: string, signal?: AbortSignal): Promise<FetchedImage> {
    const data = await this.download(rawUrl, signal);
    const mime = sniffMime(data);
    const accepted = this.options.allowedMimes ?? ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
    if (!mime || !accepted.includes(mime))
      throw new ReferenceRefusedError('reference image is not a PNG, JPEG, WebP or GIF image');
    return { data, mime };
  }

  private async download(rawUrl: string, signal?: AbortSignal): Promise<Buffer> {
    const { maxBytes, timeoutMs } = this.options;
    try {
      const response = await this.policy.fetch(rawUrl, {
        headers: { accept: 'image/*' },
        redirect: 'manual',
        signal,
        timeoutMs,
        maxBytes,
      });
      const status = response.status;
      if (status < 200 || status >= 300) {
        await response.body?.cancel().catch(() => undefined);
        throw new ReferenceRefusedError(`reference image download answered HTTP ${status}`);
      }
      const type = response.headers.get('content-type') ?? '';
      if (type && !/^image\/|^application\/octet-stream/i.test(type)) {
        await response.body?.cancel().catch(() => undefined);
        throw new ReferenceRefusedError(`reference image has content type ${type.slice(0, 64)}`);
      }
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof ReferenceRefusedError) throw error;
      if (error instanceof OutboundRefusedError) {
        if (error.reason === 'too_large')
          throw new ReferenceRefusedError(`reference image is larger than ${maxBytes} bytes`);
        if (error.reason === 'timeout') throw new ReferenceRefusedError('reference image download timed out');
        throw new ReferenceRefusedError(`reference image URL refused: ${error.message}`);
      }
      if (signal?.aborted) throw error;
      throw new ReferenceRefusedError(
        `reference image could not be downloaded: ${error instanceof Error ? error.message : 'network error'}`,
      );
    }
  }
}

/**
 * For references a provider downloads itself (kie video frames): the policy's check before anything
 * is charged — scheme, credentials, and every address the host resolves to — as REFERENCE_IMAGE_REFUSED.
 */
export async function assertReferenceAllowed(policy: OutboundPolicy, url: string): Promise<void> {
  try {
    await policy.assertAllowed(url);
  } catch (error) {
    if (error instanceof OutboundRefusedError)
      throw new ReferenceRefusedError(`reference image URL refused: ${error.message}`);
    throw error;
  }
}
