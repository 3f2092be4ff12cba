import { describe, expect, it } from 'vitest';
import { classifyAddress, isBlockedAddress, isIpAddress } from './address-ranges.js';
import { AllowedHosts, splitList } from './allowed-hosts.js';
import { BaseUrlAllowlist } from './base-url-allowlist.js';

describe('address ranges (ipaddr.js)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['2130706433', 'loopback'],
    ['127.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.10', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.7', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'ipv4Mapped→loopback'],
    ['[::ffff:7f00:1]', 'ipv4Mapped→loopback'],
    ['::ffff:10.0.0.1', 'ipv4Mapped→private'],
    ['::ffff:169.254.169.254', 'ipv4Mapped→linkLocal'],
    ['::ffff:0:127.0.0.1', 'rfc6145→loopback'],
    ['::7f00:1', 'ipv4Compatible'], // ::127.0.0.1 in hex (ipaddr.js reads the dotted spelling as mapped)
    ['::127.0.0.1', 'ipv4Mapped→loopback'],
    ['64:ff9b::a00:1', 'rfc6052→private'],
    ['64:ff9b::7f00:1', 'rfc6052→loopback'],
    ['64:ff9b:1::808:808', 'rfc6052(local-use)'],
    ['2002:7f00:1::', '6to4→loopback'],
    ['2002:a9fe:a9fe::1', '6to4→linkLocal'],
    // Teredo client 127.0.0.1 (stored inverted: 80ff:fffe).
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo→loopback'],
    ['not-an-ip', 'invalid'],
    ['', 'invalid'],
  ])('%s is blocked (%s)', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.blocked).toBe(true);
    expect(verdict.range).toBe(range);
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 'unicast'],
    ['8.8.8.8', 'unicast'],
    ['172.32.0.1', 'unicast'],
    ['2606:4700::1111', 'unicast'],
    ['::ffff:8.8.8.8', 'ipv4Mapped→unicast'],
    ['64:ff9b::808:808', 'rfc6052→unicast'],
    ['2002:808:808::1', '6to4→unicast'],
  ])('%s is allowed (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ blocked: false, range });
  });

  it('recognises every IPv4 spelling as an address and names as not', () => {
    for (const text of ['127.0.0.1', '0x7f000001', '2130706433', '127.1', '0177.0.0.1', '[::1]'])
      expect(isIpAddress(text), text).toBe(true);
    for (const text of ['localhost', 'example.com', '127.0.0.1.nip.io'])
      expect(isIpAddress(text), text).toBe(false);
  });
});

describe('trusted hosts (OUTBOUND_ALLOWED_HOSTS)', () => {
  it('matches host on any port, host:port on that port only, after URL normalisation', () => {
    const hosts = new AllowedHosts(
      splitList(' 127.0.0.1:4010 , images.internal, [::1]:8443,,http://Sandbox.Local:81 '),
    );
    expect(hosts.size).toBe(4);
    expect(hosts.matches(new URL('http://127.0.0.1:4010/x'))).toBe(true);
    expect(hosts.matches(new URL('http://2130706433:4010/x'))).toBe(true);
    expect(hosts.matches(new URL('http://127.0.0.1:4011/x'))).toBe(false);
    expect(hosts.matches(new URL('http://127.0.0.1/x'))).toBe(false);
    expect(hosts.matches(new URL('https://IMAGES.internal/a.png'))).toBe(true);
    expect(hosts.matches(new URL('http://images.internal:9000/a.png'))).toBe(true);
    expect(hosts.matches(new URL('http://images.internal.evil.net/a.png'))).toBe(false);
    expect(hosts.matches(new URL('https://[::1]:8443/'))).toBe(true);
    expect(hosts.matches(new URL('https://[::1]/'))).toBe(false);
    expect(hosts.matches(new URL('http://sandbox.local:81/'))).toBe(true);
    expect(hosts.matches(new URL('http://sandbox.local/'))).toBe(false);
    expect(new AllowedHosts([]).matches(new URL('http://127.0.0.1/'))).toBe(false);
  });
});

describe('base URL allow-list (NANOBANANA_API_BASE_ALLOWLIST)', () => {
  const list = new BaseUrlAllowlist([
    'https://generativelanguage.googleapis.com',
    'http://127.0.0.1:4010/gemini/',
  ]);

  it.each([
    'https://generativelanguage.googleapis.com',
    'https://generativelanguage.googleapis.com/',
    'https://GENERATIVELANGUAGE.googleapis.com:443/v1beta',
    'http://127.0.0.1:4010/gemini',
    'http://127.0.0.1:4010/gemini/v1beta',
  ])('allows %s', (base) => expect(list.allows(base)).toBe(true));

  it.each([
    'https://generativelanguage.googleapis.com.evil.net',
    'https://generativelanguage.googleapis.com@evil.net',
    'https://user:pw@generativelanguage.googleapis.com',
    'http://generativelanguage.googleapis.com',
    'https://generativelanguage.googleapis.com:8443',
    'http://127.0.0.1:4010/geminix',
    'http://127.0.0.1:4010/gemini/../admin',
    'http://127.0.0.1:4010/',
    'http://127.0.0.1:4011/gemini',
    'http://2130706433/gemini',
    'ftp://generativelanguage.googleapis.com',
    'not a url',
  ])('refuses %s', (base) => expect(list.allows(base)).toBe(false));
});
