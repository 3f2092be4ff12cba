import ipaddr from 'ipaddr.js';

/** What the outbound policy makes of one IP address. */
export interface AddressVerdict {
  /** The address in canonical form (IPv4 dotted quad, IPv6 RFC 5952), or the input if unparseable. */
  address: string;
  /** ipaddr.js's range name, with the embedded IPv4 range after an arrow for translation forms. */
  range: string;
  /** True when the server must never connect to it. */
  blocked: boolean;
}

/**
 * Parses an address in any textual form ipaddr.js accepts: dotted quad, the classic inet_aton
 * forms (`0x7f000001`, `2130706433`, `127.1`, octal `0177.0.0.1`), IPv6 with or without brackets.
 */
function parse(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.trim().replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return undefined;
  try {
    return ipaddr.parse(bare);
  } catch {
    return undefined;
  }
}

/** True when the text is an IP address in one of the forms {@link classifyAddress} reads. */
export function isIpAddress(text: string): boolean {
  return parse(text) !== undefined;
}

/** The IPv4 address carried in the 32 bits at `parts[high]`, `parts[high + 1]`. */
function embeddedV4(parts: number[], high: number, mask = 0): ipaddr.IPv4 {
  const a = (parts[high]! ^ mask) & 0xffff;
  const b = (parts[high + 1]! ^ mask) & 0xffff;
  return new ipaddr.IPv4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
}

function verdictV4(address: ipaddr.IPv4): AddressVerdict {
  const range = address.range();
  // Everything but global unicast: loopback, private, linkLocal, carrierGradeNat, multicast,
  // unspecified ("this network" 0/8), broadcast, reserved (incl. 240/4, TEST-NETs, 198.18/15), as112, amt.
  return { address: address.toString(), range, blocked: range !== 'unicast' };
}

function translated(address: ipaddr.IPv6, range: string, embedded: ipaddr.IPv4[]): AddressVerdict {
  const inner = embedded.map(verdictV4);
  const blockedInner = inner.find((each) => each.blocked);
  return {
    address: address.toRFC5952String(),
    range: `${range}→${(blockedInner ?? inner[0]!).range}`,
    blocked: blockedInner !== undefined,
  };
}

function verdictV6(address: ipaddr.IPv6): AddressVerdict {
  const range = address.range();
  const parts = address.parts;
  const text = address.toRFC5952String();
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (IPv4-translated)
      return translated(address, range, [embeddedV4(parts, 6)]);
    case 'rfc6052':
      // 64:ff9b::/96 is the well-known NAT64 prefix; 64:ff9b:1::/48 is for local use only.
      if (parts[2] !== 0) return { address: text, range: `${range}(local-use)`, blocked: true };
      return translated(address, range, [embeddedV4(parts, 6)]);
    case '6to4': // 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
      return translated(address, range, [embeddedV4(parts, 1)]);
    case 'teredo': // 2001:0:<server v4>:<flags>:<port>:<client v4 xor ffff>
      return translated(address, range, [embeddedV4(parts, 2), embeddedV4(parts, 6, 0xffff)]);
    case 'unicast':
      // ::a.b.c.d (the deprecated IPv4-compatible form) is not a special range for ipaddr.js.
      if (parts.slice(0, 6).every((part) => part === 0))
        return { address: text, range: 'ipv4Compatible', blocked: true };
      return { address: text, range, blocked: false };
    default:
      // unspecified, loopback, linkLocal, uniqueLocal, multicast, reserved, discard, benchmarking,
      // deprecatedSiteLocal, orchid, amt, as112v6, segmentRouting …
      return { address: text, range, blocked: true };
  }
}

/** Classifies an address; text that is no IP address at all is reported blocked. */
export function classifyAddress(text: string): AddressVerdict {
  const parsed = parse(text);
  if (!parsed) return { address: text, range: 'invalid', blocked: true };
  return parsed.kind() === 'ipv4' ? verdictV4(parsed as ipaddr.IPv4) : verdictV6(parsed as ipaddr.IPv6);
}

/** True for every address the server must not connect to on a caller's behalf (see {@link classifyAddress}). */
export function isBlockedAddress(text: string): boolean {
  return classifyAddress(text).blocked;
}
