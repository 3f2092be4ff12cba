import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import { api } from './support/clients.js';
import { png } from './support/nanobanana/helpers.js';

const LIMIT = 64 * 1024;

/** A valid PNG padded with trailing bytes (decoders ignore them) to exactly `size` bytes. */
async function pngOfSize(size: number): Promise<Uint8Array<ArrayBuffer>> {
  const image = await png(16, 16, '#cc3366');
  const padded = new Uint8Array(size);
  padded.set(image);
  return padded;
}

/** POST /api/v1/generate/batch-with-images with NANOBANANA_REF_IMAGE_MAX_BYTES=64 KB. */
describe('NanoBanana reference image size limit', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    // No worker: an accepted task just stays processing.
    system = await startSystem({
      db: 'sqlite',
      worker: false,
      env: {
        NANOBANANA_ANONYMOUS: 'true',
        NANOBANANA_REF_IMAGE_MAX_BYTES: String(LIMIT),
        NANOBANANA_RATE_PER_SEC: '100000',
        NANOBANANA_RATE_BURST: '100000',
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = async (...images: Uint8Array<ArrayBuffer>[]) => {
    const form = new FormData();
    for (const [key, value] of Object.entries({
      prompt: '参考图大小限制',
      model: 'gemini-2.5-flash-image',
      count: '2',
      apiKey: 'AIzaSy-ref-limit',
    }))
      form.append(key, value);
    images.forEach((image, index) =>
      form.append('refImages', new Blob([image], { type: 'image/png' }), `ref${index}.png`),
    );
    const response = await fetch(`${system.baseUrl}/api/v1/generate/batch-with-images`, {
      method: 'POST',
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const refFiles = () => {
    const dir = path.join(system.config.DATA_DIR, 'media', 'nanobanana', 'refs');
    return existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
      : [];
  };
  const snapshot = async () => ({
    history: ((await api(system.baseUrl, 'GET', '/api/v1/history')).body.data as { total: number }).total,
    tasks: await system.core.models.GenerationTask.count(),
    views: await system.core.nanobanana.models.NanobananaTask.count(),
    items: await system.core.nanobanana.models.TaskItem.count(),
    credentials: await system.core.nanobanana.models.TaskCredential.count(),
    refFiles: refFiles().length,
  });

  it('refuses an image one byte over the limit with 400 in the contract envelope and changes nothing', async () => {
    const before = await snapshot();
    const small = await pngOfSize(1024);
    const answer = await submit(small, await pngOfSize(LIMIT + 1));
    expect(answer.status).toBe(400);
    // batch-with-images documents one refusal text for every 400, the size limit included.
    expect(answer.body).toEqual({ code: 400, message: '请求参数有误，请检查后重试' });
    expect(await snapshot()).toEqual(before);
  });

  it('accepts an image of exactly the limit', async () => {
    const before = await snapshot();
    const answer = await submit(await pngOfSize(LIMIT));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ code: 0, data: { totalCount: 2, status: 'processing' } });
    const after = await snapshot();
    expect(after.history).toBe(before.history + 1);
    expect(after.refFiles).toBe(before.refFiles + 1);
  });
});
