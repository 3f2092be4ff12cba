import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors.js';
import { sniffMime } from '../media/media.service.js';

export class ReferenceRefusedError extends AppError {
  constructor(message: string) {
    super('REFERENCE_IMAGE_REFUSED', message, { status: 400 });
  }
}

/** Addresses a member's URL must never make the server connect to (SSRF). */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 (could reach IPv4 private space)
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** True for loopback, private, link-local, ULA and other non-public addresses (IPv4-mapped too). */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true;
}

export interface ReferenceFetcherOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Host names or IPs (as written in the URL) allowed even when they resolve to private addresses. */
  allowedHosts: string[];
  /** Image types accepted after the magic-byte check. */
  allowedMimes?: string[];
}

export interface FetchedImage {
  data: Buffer;
  mime: string;
}

/**
 * Downloads member-supplied reference images without letting them point the server at internal
 * services: http/https only; the address is checked after DNS resolution, in the socket's own
 * lookup, so a name that re-resolves to a private address between check and connect
 * (DNS rebinding) is refused too; no redirects; size capped while streaming; the bytes must be a
 * real image by their magic bytes, whatever the Content-Type says.
 */
export class ReferenceFetcher {
  constructor(private readonly options: ReferenceFetcherOptions) {}

  async fetch(rawUrl: string, signal?: AbortSignal): Promise<FetchedImage> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ReferenceRefusedError('reference image URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ReferenceRefusedError('reference images must be http or https URLs');
    if (url.username || url.password)
      throw new ReferenceRefusedError('reference image URLs may not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const allowed = this.options.allowedHosts.map((each) => each.toLowerCase()).includes(host);
    if (!allowed && isIP(host) && isBlockedAddress(host))
      throw new ReferenceRefusedError('reference image URL points at a private or local address');
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 4);
        const list = addresses;
        if (!allowed && list.some((each) => isBlockedAddress(each.address))) {
          return callback(
            new ReferenceRefusedError('reference image host resolves to a private or local address'),
            '',
            4,
          );
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        return callback(null, list[0]!.address, list[0]!.family);
      });
    };
    const data = await this.download(url, lookup, signal);
    const mime = sniffMime(data);
    const accepted = this.options.allowedMimes ?? ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
    if (!mime || !accepted.includes(mime))
      throw new ReferenceRefusedError('reference image is not a PNG, JPEG, WebP or GIF image');
    return { data, mime };
  }

  private download(url: URL, lookup: LookupFunction, signal?: AbortSignal): Promise<Buffer> {
    const { maxBytes, timeoutMs } = this.options;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.get(
        url,
        { lookup, timeout: timeoutMs, signal, headers: { accept: 'image/*' } },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            response.resume();
            return reject(new ReferenceRefusedError(`reference image download answered HTTP ${status}`));
          }
          const type = String(response.headers['content-type'] ?? '');
          if (type && !/^image\/|^application\/octet-stream/i.test(type)) {
            response.resume();
            return reject(new ReferenceRefusedError(`reference image has content type ${type.slice(0, 64)}`));
          }
          const length = Number(response.headers['content-length'] ?? 0);
          if (length > maxBytes) {
            response.resume();
            return reject(new ReferenceRefusedError(`reference image is larger than ${maxBytes} bytes`));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy();
              reject(new ReferenceRefusedError(`reference image is larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => resolve(Buffer.concat(chunks)));
          response.on('error', reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(new ReferenceRefusedError('reference image download timed out')),
      );
      request.on('error', (error) => {
        if (error instanceof ReferenceRefusedError) return reject(error);
        const cause = (error as { cause?: unknown }).cause;
        if (cause instanceof ReferenceRefusedError) return reject(cause);
        reject(new ReferenceRefusedError(`reference image could not be downloaded: ${error.message}`));
      });
    });
  }
}
