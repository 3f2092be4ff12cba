import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/clients.js';
import { walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';
import { makeWav } from './support/wav.js';

/**
 * Staff upload music for the story catalog: `POST /api/v1/story-admin/music/upload` keeps only
 * mp3/Ogg/WAVE/FLAC bytes, answers a /media/ URL served as audio (with ranges, for seeking), and
 * refuses members, anonymous callers and anything that is not audio. Both databases.
 */
describe.each(['sqlite', 'mariadb'] as const)('story music upload on %s', (db) => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ db, worker: false });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  async function upload(file: Buffer, name: string, headers: Record<string, string>) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), name);
    const response = await fetch(`${system.baseUrl}/api/v1/story-admin/music/upload`, {
      method: 'POST',
      headers,
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const staff = () => ({ authorization: `Bearer ${system.admin.token}` });
  const stored = () => system.core.models.MediaAsset.count({ where: { kind: 'audio' } });

  it('stores a track and serves it as audio, with byte ranges', async () => {
    const wav = makeWav();
    const answer = await upload(wav, 'storm.wav', staff());
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const url = String(answer.body.url);
    expect(url).toMatch(new RegExp(`^${system.baseUrl}/media/music/[0-9a-f-]{36}\\.wav$`));

    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('audio/wav');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await served.arrayBuffer()).equals(wav)).toBe(true);
    const range = await fetch(url, { headers: { range: 'bytes=0-11' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).toString('latin1')).toBe(
      wav.subarray(0, 12).toString('latin1'),
    );

    // The URL is what a music entry holds.
    const entry = await api(system.baseUrl, 'POST', '/api/v1/music', {
      token: system.admin.token,
      body: { name: 'Storm', url, type: 'tense' },
    });
    expect(entry.status).toBe(201);
    expect(entry.body.url).toBe(url);
  });

  it('refuses what is not audio with a 400 and stores nothing', async () => {
    const before = await stored();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    for (const [file, name] of [
      [png, 'cover.mp3'],
      [Buffer.from('<html><script>alert(1)</script></html>'), 'track.mp3'],
      [Buffer.alloc(0), 'empty.wav'],
    ] as const) {
      const answer = await upload(file, name, staff());
      expect(answer.status, name).toBe(400);
      expect(String(answer.body.detail), name).toMatch(/mp3, ogg, wav and flac|file/i);
    }
    const missing = await fetch(`${system.baseUrl}/api/v1/story-admin/music/upload`, {
      method: 'POST',
      headers: { ...staff(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(missing.status).toBe(400);
    expect(await stored()).toBe(before);
  });

  it('is for staff only: members 403, anonymous 401', async () => {
    const before = await stored();
    const member = await walletLogin(system);
    expect((await upload(makeWav(), 'a.wav', { authorization: `Bearer ${member.token}` })).status).toBe(403);
    expect((await upload(makeWav(), 'a.wav', {})).status).toBe(401);
    expect(await stored()).toBe(before);
  });
});
