import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { classifyAddress } from './address-ranges.js';
import { AllowedHosts } from './allowed-hosts.js';
import { exchange } from './http-exchange.js';
import { OutboundRefusedError } from './outbound-errors.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has; injectable so tests can point names anywhere. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((each) => ({
    address: each.address,
    family: each.family === 6 ? 6 : 4,
  }));

export interface OutboundPolicyOptions {
  /** Trusted `host` / `host:port` entries (OUTBOUND_ALLOWED_HOSTS): private addresses allowed. */
  allowedHosts?: Iterable<string>;
  resolver?: Resolver;
  /** Default per-request timeout (connect to last body byte). */
  timeoutMs?: number;
  /** Default cap on an answer's body. */
  maxResponseBytes?: number;
  /** Most redirects `redirect: 'follow'` takes, each re-checked. */
  maxRedirects?: number;
}

export interface OutboundRequestInit extends RequestInit {
  /** This request's body cap (default: the policy's). */
  maxBytes?: number;
  /** This request's timeout (default: the policy's). */
  timeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-goog-api-key|x-api-key|api-key)$/i;

/**
 * The one policy for requests whose URL a member, an API caller or staff chose (SSRF):
 * - http/https only, no credentials in the URL;
 * - every address the host resolves to must be global unicast (see address-ranges.ts), unless
 *   the host is one staff trust (OUTBOUND_ALLOWED_HOSTS);
 * - {@link fetch} checks the address again in the socket's own lookup, so a name that resolves
 *   to something else between check and connect (DNS rebinding) is refused too; IP literals are
 *   checked before connecting; redirects are re-checked hop by hop (at most 3) or refused;
 *   answers are size-capped and time-limited.
 * {@link assertAllowed} is for URLs handed to a provider that fetches them itself (kie frames,
 * gateway input images, vision models): the check we can make before anything is charged.
 */
export class OutboundPolicy {
  private readonly allowed: AllowedHosts;
  private readonly resolver: Resolver;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxRedirects: number;

  constructor(options: OutboundPolicyOptions = {}) {
    this.allowed = new AllowedHosts(options.allowedHosts ?? []);
    this.resolver = options.resolver ?? systemResolver;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 50 * 1024 * 1024;
    this.maxRedirects = options.maxRedirects ?? 3;
  }

  /** True when staff trust the URL's host (private addresses allowed). */
  isTrusted(url: URL): boolean {
    return this.allowed.matches(url);
  }

  /**
   * The checks that need no DNS: a parseable http(s) URL without credentials, and — unless the
   * host is trusted — not an IP literal (in any spelling WHATWG normalises) of a blocked range.
   */
  parse(raw: string | URL): { url: URL; trusted: boolean } {
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      throw new OutboundRefusedError('not a valid URL', 'invalid_url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefusedError('only http and https URLs are allowed', 'scheme');
    if (url.username || url.password)
      throw new OutboundRefusedError('URLs may not carry credentials', 'credentials');
    const trusted = this.allowed.matches(url);
    if (!trusted) {
      const host = bareHost(url);
      if (isIP(host)) this.refuseBlocked(host);
      // RFC 6761: localhost and *.localhost are loopback whatever a resolver says.
      else if (host === 'localhost' || host.endsWith('.localhost'))
        throw new OutboundRefusedError(`${host} is a local address`, 'private_address');
    }
    return { url, trusted };
  }

  /**
   * Refuses a URL the server must not request (see the class comment): parse checks, then every
   * address of the host from the resolver. A host that does not resolve is refused too.
   */
  async assertAllowed(raw: string | URL): Promise<URL> {
    const { url, trusted } = this.parse(raw);
    const host = bareHost(url);
    if (trusted || isIP(host)) return url;
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolver(host);
    } catch {
      throw new OutboundRefusedError(`host ${host} could not be resolved`, 'unresolvable');
    }
    if (addresses.length === 0)
      throw new OutboundRefusedError(`host ${host} could not be resolved`, 'unresolvable');
    for (const each of addresses) this.refuseBlocked(each.address, host);
    return url;
  }

  /**
   * fetch() under the policy, for code and SDKs that take a fetch function. `redirect: 'follow'`
   * (the default) follows at most `maxRedirects` hops, each checked like the first; 'manual'
   * returns the 3xx answer; 'error' throws on one.
   */
  fetch = async (input: string | URL | Request, init: OutboundRequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    let url = this.parse(request ? request.url : (input as string | URL)).url;
    let method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(request?.headers);
    new Headers(init.headers).forEach((value, key) => headers.set(key, value));
    let body = await bodyBytes(
      init.body ?? (request?.body ? await request.arrayBuffer() : undefined),
      headers,
    );
    const mode = init.redirect ?? request?.redirect ?? 'follow';
    const maxBytes = init.maxBytes ?? this.maxResponseBytes;
    const timeout = AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs);
    const callerSignal = init.signal ?? request?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;

    for (let hop = 0; ; hop += 1) {
      const { trusted } = this.parse(url);
      if (!trusted && !isIP(bareHost(url))) await this.assertAllowed(url);
      const plain: Record<string, string> = {};
      headers.forEach((value, key) => (plain[key] = value));
      if (body && !headers.has('content-length')) plain['content-length'] = String(body.length);
      const response = await exchange({
        url,
        method,
        headers: plain,
        body,
        lookup: this.lookupFor(trusted),
        signal,
        maxBytes,
      });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || !location || mode === 'manual') return response;
      await response.body?.cancel().catch(() => undefined);
      if (mode === 'error' || hop >= this.maxRedirects)
        throw new OutboundRefusedError(
          mode === 'error'
            ? `${url.origin} answered a redirect, which is not followed`
            : `more than ${this.maxRedirects} redirects`,
          'redirect',
        );
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new OutboundRefusedError('redirect to an invalid URL', 'redirect');
      }
      try {
        this.parse(next);
      } catch (error) {
        throw new OutboundRefusedError(
          `redirect refused: ${(error as Error).message}`,
          error instanceof OutboundRefusedError ? error.reason : 'redirect',
        );
      }
      if (next.origin !== url.origin) {
        for (const key of [...headers.keys()]) if (CREDENTIAL_HEADER.test(key)) headers.delete(key);
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      url = next;
    }
  };

  /** A socket lookup that resolves through the policy's resolver and refuses blocked addresses. */
  lookupFor(trusted: boolean): LookupFunction {
    return (hostname, options, callback) => {
      const done = callback as unknown as (
        error: Error | null,
        address: string | Array<{ address: string; family: number }>,
        family?: number,
      ) => void;
      this.resolver(hostname).then(
        (all) => {
          const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
          const list = wanted ? all.filter((each) => each.family === wanted) : all;
          if (list.length === 0)
            return done(
              new OutboundRefusedError(`host ${hostname} could not be resolved`, 'unresolvable'),
              '',
            );
          if (!trusted) {
            try {
              for (const each of list) this.refuseBlocked(each.address, hostname);
            } catch (error) {
              return done(error as Error, '');
            }
          }
          if (options.all) return done(null, list);
          return done(null, list[0]!.address, list[0]!.family);
        },
        () => done(new OutboundRefusedError(`host ${hostname} could not be resolved`, 'unresolvable'), ''),
      );
    };
  }

  private refuseBlocked(address: string, hostname?: string): void {
    const verdict = classifyAddress(address);
    if (verdict.blocked)
      throw new OutboundRefusedError(
        hostname
          ? `host ${hostname} resolves to a non-public address (${verdict.range})`
          : `${verdict.address} is not a public address (${verdict.range})`,
        'private_address',
      );
  }
}

/** The URL's host without IPv6 brackets, lower case. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Any fetch body as bytes (setting the content type a FormData or URLSearchParams implies). */
async function bodyBytes(body: RequestInit['body'] | ArrayBuffer | undefined, headers: Headers) {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  const wrapped = new Response(body as RequestInit['body']);
  const type = wrapped.headers.get('content-type');
  if (type && !headers.has('content-type')) headers.set('content-type', type);
  return Buffer.from(await wrapped.arrayBuffer());
}
