import { effectivePort } from './allowed-hosts.js';

interface Prefix {
  protocol: string;
  hostname: string;
  port: string;
  /** Path without trailing slash ('' for the whole origin). */
  path: string;
}

function parsePrefix(raw: string): Prefix | undefined {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return {
      protocol: url.protocol,
      hostname: url.hostname.toLowerCase(),
      port: effectivePort(url),
      path: url.pathname.replace(/\/+$/, ''),
    };
  } catch {
    return undefined;
  }
}

/**
 * Base URLs a caller may name for a provider (contract 004's `apiBase`), as URL prefixes:
 * same scheme, host and port, and a path equal to the prefix's or below it at a `/` boundary.
 * Compared after WHATWG parsing, so `https://api.example.com.evil.net`, `…@evil.net`, dot
 * segments and other spellings cannot pass as a prefix's string.
 */
export class BaseUrlAllowlist {
  private readonly prefixes: Prefix[];

  constructor(prefixes: Iterable<string>) {
    this.prefixes = [...prefixes].map(parsePrefix).filter((each): each is Prefix => each !== undefined);
  }

  /** True when `raw` is an http(s) URL without credentials under one of the prefixes. */
  allows(raw: string): boolean {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (url.username || url.password) return false;
    const hostname = url.hostname.toLowerCase();
    const port = effectivePort(url);
    const path = url.pathname.replace(/\/+$/, '');
    return this.prefixes.some(
      (prefix) =>
        prefix.protocol === url.protocol &&
        prefix.hostname === hostname &&
        prefix.port === port &&
        (prefix.path === '' || path === prefix.path || path.startsWith(`${prefix.path}/`)),
    );
  }
}
