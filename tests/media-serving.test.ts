import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server, type TestS3Server } from './support/s3-server.js';
import { startSystem, type RunningSystem } from './support/system.js';

/**
 * `/media/<key>` from either store: whole files, HEAD and byte ranges (video players seek with
 * them), each with the stored-content policy (type from the bytes, nosniff, sandboxing CSP).
 */
let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
});

/** server/src/http/user-content.ts, as the README states it. */
const USER_CONTENT_CSP =
  "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** An mp4-looking file: `ftyp` at byte 4, then counting bytes so any slice is recognisable. */
const video = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from(Array.from({ length: 4084 }, (_, index) => index % 251)),
]);

describe.each([
  ['local folder', () => ({})],
  ['S3 bucket', () => s3.env('serving')],
])('media served from the %s', (_name, storageEnv) => {
  let system: RunningSystem;
  let url: string;

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', worker: false, env: storageEnv() });
    await system.core.storage.put('tasks/serving/0.mp4', video, 'video/mp4');
    url = `${system.baseUrl}/media/tasks/serving/0.mp4`;
  });
  afterAll(async () => {
    await system?.stop();
  });

  function expectPolicy(response: Response) {
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(USER_CONTENT_CSP);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
  }

  it('GET: the whole file', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expectPolicy(response);
    expect(response.headers.get('content-length')).toBe(String(video.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(video)).toBe(true);
  });

  it('HEAD: type and length, no body', async () => {
    const response = await fetch(url, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expectPolicy(response);
    expect(response.headers.get('content-length')).toBe(String(video.length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('Range: 206 with the slice, from the middle, open-ended and as a suffix', async () => {
    for (const [header, start, end] of [
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=4000-', 4000, video.length - 1],
      ['bytes=-96', video.length - 96, video.length - 1],
    ] as const) {
      const response = await fetch(url, { headers: { range: header } });
      expect(response.status, header).toBe(206);
      expectPolicy(response);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${video.length}`);
      expect(response.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await response.arrayBuffer()).equals(video.subarray(start, end + 1)), header).toBe(
        true,
      );
    }
  });

  it('Range past the end: 416 naming the size; several ranges: the whole file', async () => {
    const past = await fetch(url, { headers: { range: `bytes=${video.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${video.length}`);
    const several = await fetch(url, { headers: { range: 'bytes=0-1,5-9' } });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(video.length);
  });

  it('a missing file is 404, also for HEAD and ranges', async () => {
    const missing = `${system.baseUrl}/media/tasks/serving/9.mp4`;
    expect((await fetch(missing)).status).toBe(404);
    expect((await fetch(missing, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(missing, { headers: { range: 'bytes=0-9' } })).status).toBe(404);
  });
});
