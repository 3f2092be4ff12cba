import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, ROOT } from './support/browser.js';
import { readSse, walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent (still compressed). */
  raw: Buffer;
}

/** A request with exactly the headers given (fetch would add its own Accept-Encoding and decode). */
function raw(
  baseUrl: string,
  urlPath: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${urlPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decoded(answer: RawAnswer): string {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.raw).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(answer.raw).toString('utf8');
  return answer.raw.toString('utf8');
}

const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/**
 * How the server delivers bytes: the built admin precompressed (brotli/gzip by Accept-Encoding)
 * with hashed assets immutable and index.html revalidated; /api JSON compressed on the fly, never
 * event streams; the OpenAPI document and its reference page at /api/docs.
 */
describe('HTTP delivery: compression, caching, API reference', () => {
  let system: RunningSystem;
  let script: string;

  beforeAll(async () => {
    ensureAdminBuilt();
    system = await startSystem({ worker: false });
    const assets = readdirSync(path.join(ROOT, 'admin/dist/assets'));
    script = assets.find((name) => /^index-[\w-]+\.js$/.test(name))!;
    expect(script, 'the admin build has its entry chunk').toBeTruthy();
    expect(assets).toContain(`${script}.br`);
    expect(assets).toContain(`${script}.gz`);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  describe('admin', () => {
    it('sends hashed assets precompressed as the browser accepts, immutable for a year', async () => {
      const plain = await raw(system.baseUrl, `/admin/assets/${script}`);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers['content-type']).toMatch(/javascript/);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers.vary).toMatch(/accept-encoding/i);

      for (const [accept, encoding] of [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip, deflate', 'gzip'],
      ] as const) {
        const answer = await raw(system.baseUrl, `/admin/assets/${script}`, { 'accept-encoding': accept });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-encoding']).toBe(encoding);
        expect(answer.headers['content-type']).toMatch(/javascript/);
        expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(answer.headers.vary).toMatch(/accept-encoding/i);
        expect(Number(answer.headers['content-length'])).toBe(answer.raw.length);
        expect(answer.raw.length).toBeLessThan(plain.raw.length / 2);
        expect(decoded(answer)).toBe(plain.raw.toString('utf8'));
        // helmet's headers stay on the admin's files.
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      }
    });

    it('serves index.html (and every deep link) no-cache with an ETag: a repeat visit is a 304', async () => {
      for (const urlPath of ['/admin/', '/admin/jimeng-accounts/edit/42', '/admin/index.html']) {
        const first = await raw(system.baseUrl, urlPath, { 'accept-encoding': 'gzip, deflate, br' });
        expect(first.status, urlPath).toBe(200);
        expect(first.headers['content-type']).toMatch(/text\/html/);
        expect(first.headers['cache-control']).toBe('no-cache');
        expect(first.headers['content-encoding']).toBe('br');
        expect(first.headers.vary).toMatch(/accept-encoding/i);
        expect(first.headers['content-security-policy']).toContain("script-src 'self'");
        expect(decoded(first)).toContain('<div id="root">');
        const etag = first.headers.etag as string;
        expect(etag).toMatch(/^"/);

        const again = await raw(system.baseUrl, urlPath, { 'if-none-match': etag });
        expect(again.status, urlPath).toBe(304);
        expect(again.raw.length).toBe(0);
      }
      const plain = await raw(system.baseUrl, '/admin/');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.raw.toString('utf8')).toContain('<div id="root">');
    });

    it('answers 404 for an asset that is not there (never index.html for a script)', async () => {
      const missing = await raw(system.baseUrl, '/admin/assets/index-00000000.js', {
        'accept-encoding': 'br',
      });
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type'] ?? '').not.toMatch(/html/);
    });
  });

  describe('/api', () => {
    it('compresses JSON answers over 1 KB as the client accepts, and leaves small ones alone', async () => {
      const token = system.admin.token;
      const listPath = '/api/v1/jimeng/accounts/list?page=1&size=200';
      const plain = await raw(system.baseUrl, listPath, { authorization: `Bearer ${token}` });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.raw.length).toBeGreaterThan(1024);
      for (const encoding of ['br', 'gzip']) {
        const answer = await raw(system.baseUrl, listPath, {
          authorization: `Bearer ${token}`,
          'accept-encoding': encoding,
        });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-encoding']).toBe(encoding);
        expect(answer.headers['content-type']).toMatch(/application\/json/);
        expect(answer.headers.vary).toMatch(/accept-encoding/i);
        expect(answer.raw.length).toBeLessThan(plain.raw.length);
        expect(JSON.parse(decoded(answer))).toEqual(JSON.parse(plain.raw.toString('utf8')));
      }
      const small = await raw(system.baseUrl, '/api/v1/health', { 'accept-encoding': 'br, gzip' });
      expect(small.status).toBe(200);
      expect(small.headers['content-encoding']).toBeUndefined();
    });

    it('never compresses event streams, through the Koa route or the fast path', async () => {
      const { token } = await walletLogin(system);
      const created = await raw(
        system.baseUrl,
        '/api/v1/characters',
        { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        'POST',
        JSON.stringify({
          name: 'Quill',
          description: 'a scribe',
          personality: 'calm',
          background: 'library',
        }),
      );
      expect(created.status).toBe(201);
      const characterId = JSON.parse(created.raw.toString('utf8')).id as string;
      for (const query of ['', '?via=koa']) {
        const response = await fetch(`${system.baseUrl}/api/v1/story_chat/generate-response${query}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'accept-encoding': 'br, gzip',
          },
          body: JSON.stringify({ character_id: characterId, user_message: 'Hello there, scribe.' }),
        });
        expect(response.status, query).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(response.headers.get('content-encoding'), query).toBeNull();
        const events = await readSse(response);
        expect(events.some((event) => event.event === 'message')).toBe(true);
        expect(events.find((event) => event.event === 'error')).toBeUndefined();
      }
    });
  });

  describe('/api/docs', () => {
    it('answers the OpenAPI document to programs (no Accept, */*, application/json) and at openapi.json', async () => {
      for (const headers of [{}, { accept: '*/*' }, { accept: 'application/json' }] as Record<
        string,
        string
      >[]) {
        const answer = await raw(system.baseUrl, '/api/docs', headers);
        expect(answer.status).toBe(200);
        expect(answer.headers['content-type']).toMatch(/application\/json/);
        expect(answer.headers.vary).toMatch(/accept/i);
        expect(JSON.parse(decoded(answer)).openapi).toBe('3.1.0');
      }
      const stable = await raw(system.baseUrl, '/api/docs/openapi.json', { 'accept-encoding': 'br' });
      expect(stable.status).toBe(200);
      expect(stable.headers['content-encoding']).toBe('br');
      const document = JSON.parse(decoded(stable));
      expect(document.openapi).toBe('3.1.0');
      expect(document.paths['/api/v1/health'].get.summary).toBeTruthy();
    });

    it('shows browsers the reference page (Swagger UI from node_modules) under its own CSP', async () => {
      const page = await raw(system.baseUrl, '/api/docs', { accept: BROWSER_ACCEPT });
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
      const html = decoded(page);
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(sources).toContain('/api/docs/init.js');
      expect(html).not.toMatch(/<script>(?!<)/); // no inline script
      for (const source of sources) {
        expect(source.startsWith('/api/docs/'), source).toBe(true);
        const file = await raw(system.baseUrl, source, { 'accept-encoding': 'br, gzip' });
        expect(file.status, source).toBe(200);
        if (source.includes('/assets/')) {
          expect(file.headers['cache-control'], source).toBe('public, max-age=31536000, immutable');
        }
        // Swagger UI's own files are large (init.js is under the 1 KB threshold).
        if (/\/assets\/.+\.(js|css)$/.test(source))
          expect(file.headers['content-encoding'], source).toBe('br');
      }
      const bundle = sources.find((source) => source.endsWith('swagger-ui-bundle.js'))!;
      const unknown = await raw(system.baseUrl, bundle.replace('swagger-ui-bundle.js', 'package.json'));
      expect(unknown.status).toBe(404);
    });
  });
});
