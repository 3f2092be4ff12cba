/** One trusted host, optionally on one port only. */
interface HostEntry {
  hostname: string;
  port?: string;
}

/** The URL's port, or the scheme's default when it names none. */
export function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** WHATWG's spelling of a host (`127.1` → `127.0.0.1`, `[::FFFF:7f00:1]` → `[::ffff:7f00:1]`). */
function canonicalHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function parseEntry(raw: string): HostEntry | undefined {
  const text = raw.trim().toLowerCase();
  if (!text) return undefined;
  if (text.includes('://')) {
    try {
      const url = new URL(text);
      return { hostname: url.hostname, port: url.port || undefined };
    } catch {
      return undefined;
    }
  }
  // host, host:port, [v6], [v6]:port; a bare IPv6 address (several colons) has no port.
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return canonicalHost(`[${text}]`) ? { hostname: canonicalHost(`[${text}]`)! } : undefined;
  const hostname = canonicalHost(match[1]!);
  return hostname ? { hostname, port: match[2] } : undefined;
}

/**
 * Hosts staff trust even though they resolve to private addresses (the provider sandbox on
 * loopback, an internal image store): `host` trusts every port, `host:port` that port only.
 * Entries are compared with the URL's host as written, after WHATWG normalisation.
 */
export class AllowedHosts {
  private readonly entries: HostEntry[];

  constructor(entries: Iterable<string>) {
    this.entries = [...entries].map(parseEntry).filter((entry): entry is HostEntry => entry !== undefined);
  }

  get size(): number {
    return this.entries.length;
  }

  matches(url: URL): boolean {
    const hostname = url.hostname.toLowerCase();
    const port = effectivePort(url);
    return this.entries.some((entry) => entry.hostname === hostname && (!entry.port || entry.port === port));
  }
}

/** Splits a comma-separated list (env values) into trimmed, non-empty entries. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((each) => each.trim())
    .filter(Boolean);
}
