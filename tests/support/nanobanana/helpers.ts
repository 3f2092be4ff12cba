import sharp from 'sharp';
import { api } from '../clients.js';

/** Polls a NanoBanana task until it leaves `processing`. */
export async function waitForTask(
  baseUrl: string,
  taskId: string,
  headers: Record<string, string> = {},
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await api(baseUrl, 'GET', `/api/v1/generate/status/${taskId}`, { headers });
    if (status.status !== 200) throw new Error(`status ${status.status}: ${JSON.stringify(status.body)}`);
    if (status.body.data.status !== 'processing') return status.body.data;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still processing`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function createBatch(
  baseUrl: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return api(baseUrl, 'POST', '/api/v1/generate/batch', {
    headers,
    body: { model: 'gemini-2.5-flash-image', count: 1, apiKey: 'AIzaSy-test-key-0001', ...body },
  });
}

/** A PNG as a fresh Uint8Array (what Blob parts accept under TypeScript's DOM types). */
export async function png(
  width: number,
  height: number,
  color = '#3366cc',
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: color } })
      .png()
      .toBuffer(),
  );
}
