import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceFetcher, ReferenceRefusedError, isBlockedAddress } from './reference-fetcher.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('ReferenceFetcher (SSRF guard)', () => {
  let server: Server;
  let port = 0;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/image.png') {
        res.setHeader('content-type', 'image/png');
        res.end(PNG);
      } else if (req.url === '/fake.png') {
        res.setHeader('content-type', 'image/png');
        res.end('<html>not an image</html>');
      } else if (req.url === '/big.png') {
        res.setHeader('content-type', 'image/png');
        res.end(Buffer.concat([PNG, Buffer.alloc(4096)]));
      } else if (req.url === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', 'http://169.254.169.254/latest/meta-data');
        res.end();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const strict = () => new ReferenceFetcher({ maxBytes: 1024, timeoutMs: 2000, allowedHosts: [] });
  const allowing = () =>
    new ReferenceFetcher({ maxBytes: 1024, timeoutMs: 2000, allowedHosts: ['127.0.0.1'] });

  it('classifies loopback, private, link-local, ULA and mapped addresses as blocked', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd12:3456::1',
      'fc00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) {
      expect(isBlockedAddress(address), address).toBe(false);
    }
  });

  it('refuses loopback, private, link-local and ULA targets without connecting', async () => {
    const before = hits;
    for (const url of [
      `http://127.0.0.1:${port}/image.png`,
      `http://localhost:${port}/image.png`,
      'http://10.0.0.1/image.png',
      'http://192.168.1.20/image.png',
      'http://172.20.0.5/image.png',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/image.png',
      'http://[fd00::1]/image.png',
      'http://[fe80::1]/image.png',
      'http://[::ffff:127.0.0.1]/image.png',
      'http://2130706433/image.png', // 127.0.0.1 as a decimal host
    ]) {
      const error = await strict()
        .fetch(url)
        .catch((caught: unknown) => caught);
      expect(error, url).toBeInstanceOf(ReferenceRefusedError);
      expect((error as ReferenceRefusedError).code).toBe('REFERENCE_IMAGE_REFUSED');
    }
    expect(hits).toBe(before);
  });

  it('refuses non-http schemes and credentials in URLs', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://example.com/a.png',
      'gopher://example.com/',
      'data:image/png;base64,AAAA',
      'javascript:alert(1)',
      'not a url',
      'http://user:pass@example.com/a.png',
    ]) {
      await expect(strict().fetch(url), url).rejects.toBeInstanceOf(ReferenceRefusedError);
    }
  });

  it('loads an allow-listed host, checking magic bytes, size and redirects', async () => {
    const image = await allowing().fetch(`http://127.0.0.1:${port}/image.png`);
    expect(image.mime).toBe('image/png');
    expect(image.data.equals(PNG)).toBe(true);
    await expect(allowing().fetch(`http://127.0.0.1:${port}/fake.png`)).rejects.toThrow(/not a PNG/);
    await expect(allowing().fetch(`http://127.0.0.1:${port}/big.png`)).rejects.toThrow(/larger than/);
    await expect(allowing().fetch(`http://127.0.0.1:${port}/redirect`)).rejects.toThrow(/HTTP 302/);
    await expect(allowing().fetch(`http://127.0.0.1:${port}/missing`)).rejects.toThrow(/HTTP 404/);
  });
});
