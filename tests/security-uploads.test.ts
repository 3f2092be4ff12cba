import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngBomb, pngChunk } from '@dreamloom/bots/testing';
import { api } from './support/clients.js';
import { member, waitForEnd } from './support/anime.js';
import { walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * Uploads and served user content (the polyglot finding): every upload route — contract 002's image
 * upload and character card import, contract 004's reference images, contract 000's reference URLs —
 * either refuses a file that is not wholly an image (400 in its contract's envelope, nothing stored)
 * or stores it re-encoded, so what is served is pixels only; every response serving stored files says
 * nosniff with a sandboxing CSP; the admin's pages carry helmet's headers.
 */

/** A PNG with a tEXt chunk right after IHDR (where a SillyTavern card may sit; it survives truncation). */
function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const afterHeader = 8 + 25;
  const chunk = pngChunk(
    'tEXt',
    Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')]),
  );
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}

const HTML =
  '<html><body><script>fetch("/api/v1/characters/list").then(r=>r.text()).then(alert)</script></body></html>';
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>';
const PAYLOADS = ['<html', '<script', '<svg'];

/** Decodes with sharp and holds none of the markup payloads. */
async function expectPixelsOnly(bytes: Buffer) {
  for (const payload of PAYLOADS) expect(bytes.includes(payload), payload).toBe(false);
  const meta = await sharp(bytes).metadata();
  expect(meta.width).toBeGreaterThan(0);
  return meta;
}

function expectUserContentHeaders(headers: Headers) {
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain('sandbox');
}

/** Files under the media directory, relative; a refusal must leave this unchanged. */
function storedFiles(system: RunningSystem): string[] {
  const root = path.join(system.config.DATA_DIR, 'media');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('uploads are re-encoded or refused; stored files are served inert', () => {
  let system: RunningSystem;
  let token: string;
  let png: Buffer;
  let jpeg: Buffer;
  /** Bytes the fake "external" reference host serves next, as image/png. */
  let hosted: Buffer = Buffer.alloc(0);
  let host: Server;
  let hostUrl: string;
  const bad: Record<string, { bytes: Buffer; name: string }> = {};
  const polyglots: Record<string, { bytes: Buffer; name: string; mime: string }> = {};

  beforeAll(async () => {
    system = await startSystem({
      env: {
        ANIME_REFERENCE_ALLOWED_HOSTS: '127.0.0.1',
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_RATE_PER_SEC: '1000',
        NANOBANANA_RATE_BURST: '1000',
      },
    });
    token = (await walletLogin(system)).token;
    png = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    jpeg = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#a26' } })
      .jpeg()
      .toBuffer();
    polyglots['PNG + HTML'] = {
      bytes: Buffer.concat([png, Buffer.from(HTML)]),
      name: 'cat.png',
      mime: 'image/png',
    };
    polyglots['JPEG + script'] = {
      bytes: Buffer.concat([jpeg, Buffer.from(`<script>alert(1)</script>${SVG}`)]),
      name: 'cat.jpg',
      mime: 'image/jpeg',
    };
    bad['GIF89a + SVG'] = { bytes: Buffer.from(`GIF89a${SVG}`, 'latin1'), name: 'cat.gif' };
    bad['HTML named .png'] = { bytes: Buffer.from(`<!doctype html>${HTML}`), name: 'cat.png' };
    bad['SVG named .png'] = { bytes: Buffer.from(SVG), name: 'cat.png' };
    bad['truncated PNG'] = { bytes: png.subarray(0, png.length - 40), name: 'cat.png' };
    bad['30000×30000 PNG'] = { bytes: pngBomb(30_000, 30_000), name: 'bomb.png' };

    host = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': hosted.length });
      res.end(hosted);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const address = host.address();
    hostUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => host?.close(() => resolve()));
    await system?.stop();
  });

  const upload = async (bytes: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
    const response = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('contract 002 image upload: polyglots are stored re-encoded, served with nosniff and a sandbox CSP', async () => {
    for (const [label, { bytes, name, mime }] of Object.entries(polyglots)) {
      const answer = await upload(bytes, name);
      expect(answer.status, label).toBe(200);
      const served = await fetch(answer.body.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(mime);
      expectUserContentHeaders(served.headers);
      const body = Buffer.from(await served.arrayBuffer());
      expect((await expectPixelsOnly(body)).width, label).toBe(48);
      // The same file by its media id, and the row records what was stored.
      const row = await system.core.models.MediaAsset.findOne({
        where: { storage_key: `uploads/${answer.body.filename}` },
      });
      expect(row).toMatchObject({ mime, width: 48, height: 32, size_bytes: body.length });
      // By media id (a guessable snowflake) only for the uploader: anyone else gets 404.
      expect((await fetch(`${system.baseUrl}/api/v1/images/${row!.id}`)).status).toBe(404);
      const byId = await fetch(`${system.baseUrl}/api/v1/images/${row!.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expectUserContentHeaders(byId.headers);
      expect(Buffer.from(await byId.arrayBuffer()).equals(body)).toBe(true);
    }
  });

  it('contract 002 image upload: non-images, truncated files and pixel bombs are a 400 that stores nothing', async () => {
    const before = storedFiles(system);
    const rows = await system.core.models.MediaAsset.count();
    for (const [label, { bytes, name }] of Object.entries(bad)) {
      const answer = await upload(bytes, name);
      expect(answer.status, label).toBe(400);
      expect(answer.body.detail, label).toMatch(/jpg, png, gif and webp|too large/);
    }
    expect(await system.core.models.MediaAsset.count()).toBe(rows);
    expect(storedFiles(system)).toEqual(before);
  });

  it('character card import: the text chunk is read from the original, the avatar is the re-encoded image', async () => {
    const card = {
      spec: 'chara_card_v2',
      spec_version: '2.0',
      data: { name: 'Polyglot Pete', description: 'x' },
    };
    const cardChunk = Buffer.from(JSON.stringify(card)).toString('base64');
    const importCard = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), 'card.png');
      const response = await fetch(`${system.baseUrl}/api/v1/characters/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const imported = await importCard(
      Buffer.concat([withTextChunk(png, 'chara', cardChunk), Buffer.from(HTML)]),
    );
    expect(imported.status).toBe(201);
    expect(imported.body.name).toBe('Polyglot Pete');
    const avatar = await fetch(imported.body.image_url);
    expectUserContentHeaders(avatar.headers);
    const avatarBytes = Buffer.from(await avatar.arrayBuffer());
    await expectPixelsOnly(avatarBytes);
    expect(avatarBytes.includes('chara')).toBe(false);

    const countMine = async () =>
      (await api(system.baseUrl, 'GET', '/api/v1/characters/list', { token })).body.length as number;
    const characters = await countMine();
    const files = storedFiles(system);
    for (const [label, bytes] of [
      ['truncated PNG card', withTextChunk(png, 'chara', cardChunk).subarray(0, -40)],
      ['pixel-bomb card', withTextChunk(pngBomb(30_000, 30_000), 'chara', cardChunk)],
    ] as const) {
      const refused = await importCard(bytes);
      expect(refused.status, label).toBe(400);
      expect(refused.body.detail, label).toMatch(/jpg, png, gif and webp|too large/);
    }
    expect(await countMine()).toBe(characters);
    expect(storedFiles(system)).toEqual(files);
  });

  it('contract 004 reference images: polyglots are stored re-encoded, the rest refused in the contract envelope', async () => {
    const submit = async (bytes: Buffer, name: string) => {
      const form = new FormData();
      for (const [key, value] of Object.entries({
        prompt: 'polyglot',
        model: 'gemini-2.5-flash-image',
        count: '1',
        apiKey: 'AIzaSy-polyglot',
      }))
        form.append(key, value);
      form.append('refImages', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
      const response = await fetch(`${system.baseUrl}/api/v1/generate/batch-with-images`, {
        method: 'POST',
        body: form,
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    for (const [label, { bytes, name }] of Object.entries(polyglots)) {
      const answer = await submit(bytes, name);
      expect(answer.status, label).toBe(200);
      const task = await system.core.models.GenerationTask.findByPk(answer.body.data.id);
      const [key] = JSON.parse(task!.params).referenceKeys as string[];
      await expectPixelsOnly(await system.core.storage.get(key!));
    }
    const files = storedFiles(system).filter((file) => file.startsWith('nanobanana/refs'));
    for (const [label, { bytes, name }] of Object.entries(bad)) {
      const answer = await submit(bytes, name);
      expect(answer.status, label).toBe(400);
      expect(answer.body, label).toEqual({ code: 400, message: '请求参数有误，请检查后重试' });
    }
    expect(storedFiles(system).filter((file) => file.startsWith('nanobanana/refs'))).toEqual(files);
  });

  it('contract 000 reference URLs: a fetched polyglot is stored re-encoded, the rest refused', async () => {
    const { headers } = await member(system, 'polyglot-refs');
    const create = (url: string) =>
      api(system.baseUrl, 'POST', '/api/anime-generation/create-task', {
        headers,
        body: { gen_type: 'anime', prompt: 'a fox', reference_image_urls: [url] },
      });
    for (const [label, { bytes }] of Object.entries(polyglots)) {
      hosted = bytes;
      const answer = await create(`${hostUrl}/ref.png`);
      expect(answer.status, label).toBe(200);
      const task = await system.core.models.GenerationTask.findByPk(answer.body.data.generation_uuid);
      const [referenceUrl] = JSON.parse(task!.params).referenceImages as string[];
      const served = await fetch(referenceUrl!);
      expectUserContentHeaders(served.headers);
      await expectPixelsOnly(Buffer.from(await served.arrayBuffer()));
      await waitForEnd(system, answer.body.data.generation_uuid, headers);
    }
    const files = storedFiles(system).filter((file) => file.startsWith('references'));
    for (const [label, { bytes }] of Object.entries(bad)) {
      hosted = bytes;
      const answer = await create(`${hostUrl}/ref.png`);
      expect(answer.status, label).toBe(400);
      expect(answer.body.error.code, label).toBe('REFERENCE_IMAGE_REFUSED');
    }
    expect(storedFiles(system).filter((file) => file.startsWith('references'))).toEqual(files);
  });

  it('serves stored files with nosniff and a sandbox CSP, the type from their bytes rather than their name', async () => {
    // Generated outputs (contract 004): by id, as a download, as a ZIP, and under /media/.
    const created = await api(system.baseUrl, 'POST', '/api/v1/generate/batch', {
      body: { prompt: 'headers', model: 'gemini-2.5-flash-image', count: 1, apiKey: 'AIzaSy-headers' },
    });
    expect(created.status).toBe(200);
    const taskId = created.body.data.id as string;
    let images: Array<{ id: string; thumbnailPath: string }> = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      const status = await api(system.baseUrl, 'GET', `/api/v1/generate/status/${taskId}`);
      if (status.body.data.status !== 'processing') {
        images = status.body.data.images;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(images).toHaveLength(1);
    const id = images[0]!.id;
    for (const url of [
      `${system.baseUrl}/api/v1/images/${id}`,
      `${system.baseUrl}/api/v1/images/${id}/download`,
      `${system.baseUrl}${images[0]!.thumbnailPath}`,
    ]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toMatch(/^image\//);
      expectUserContentHeaders(response.headers);
      await response.arrayBuffer();
    }
    const zip = await fetch(`${system.baseUrl}/api/v1/images/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ imageIds: [id] }),
    });
    expect(zip.status).toBe(200);
    expectUserContentHeaders(zip.headers);
    await zip.arrayBuffer();

    // A stored file whose bytes are not what its name says (written before this fix, or by hand):
    // served as an opaque download, never as an image the browser might sniff into HTML.
    await system.core.storage.put(
      'uploads/legacy-polyglot.png',
      Buffer.from(`<!doctype html>${HTML}`),
      'image/png',
    );
    const legacy = await fetch(`${system.baseUrl}/media/uploads/legacy-polyglot.png`);
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('content-type')).toBe('application/octet-stream');
    expect(legacy.headers.get('content-disposition')).toMatch(/^attachment/);
    expectUserContentHeaders(legacy.headers);
    expect(await legacy.text()).toContain('<html');
    const realUrl = `${system.baseUrl}/media/uploads/${(await upload(png, 'ok.png')).body.filename}`;
    const real = await fetch(realUrl);
    expect(real.headers.get('content-type')).toBe('image/png');
    expect(real.headers.get('content-disposition')).toBeNull();
    expectUserContentHeaders(real.headers);
    expect(Buffer.from(await real.arrayBuffer()).length).toBeGreaterThan(0);
    // HEAD reads the first bytes for the type too, and leaves no file open (the server runs in this process).
    const head = await fetch(realUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/png');
    expectUserContentHeaders(head.headers);
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).includes(path.join('media', 'uploads'));
        } catch {
          return false;
        }
      });
    await expect.poll(openFiles, { timeout: 2000 }).toEqual([]);
  });

  it('admin pages and the queue monitor carry helmet headers with a CSP that allows the admin to run', async () => {
    for (const url of ['/admin/', '/admin/characters', '/admin/queues']) {
      const response = await fetch(`${system.baseUrl}${url}`, { redirect: 'manual' });
      await response.arrayBuffer();
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp, url).toContain("connect-src 'self' ws: wss:");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("object-src 'none'");
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), url).toBe('DENY');
      expect(response.headers.get('referrer-policy'), url).toBe('no-referrer');
      expect(response.headers.get('x-powered-by'), url).toBeNull();
    }
  });
});
