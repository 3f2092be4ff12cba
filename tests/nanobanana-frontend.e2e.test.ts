import { Buffer } from 'node:buffer';
import sharp from 'sharp';
import { WebSocket as NodeWebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type RunningSystem } from './support/system.js';
import {
  createImageGenAPI,
  server,
  type GenerationTask,
  type ProgressMessage,
} from './support/nanobanana/contract-frontend.js';
import { readZipEntries } from './support/nanobanana/zip.js';

/**
 * Contract 004's own front-end example, headless: `ImageGenAPI` as published and the flow of its
 * Vue component (create → WebSocket progress with latestImage → complete), then history,
 * download, export and delete, against a real server, worker and the Gemini sandbox.
 */
describe('NanoBanana front-end example (headless, SQLite + Redis + sandbox)', () => {
  let system: RunningSystem;
  const clicked: { href: string; download: string; blob?: Blob }[] = [];
  const objectUrls = new Map<string, Blob>();

  beforeAll(async () => {
    system = await startSystem({ db: 'sqlite', env: { NANOBANANA_ANONYMOUS: 'true' } });
    server.origin = system.baseUrl;
    // The browser globals the example uses: WebSocket, and window/document for the download.
    const g = globalThis as Record<string, unknown>;
    g.WebSocket = NodeWebSocket;
    g.window = {
      URL: {
        createObjectURL: (blob: Blob) => {
          const url = `blob:test/${objectUrls.size}`;
          objectUrls.set(url, blob);
          return url;
        },
        revokeObjectURL: () => undefined,
      },
    };
    g.document = {
      createElement: () => {
        const anchor = {
          href: '',
          download: '',
          click: () =>
            clicked.push({ href: anchor.href, download: anchor.download, blob: objectUrls.get(anchor.href) }),
        };
        return anchor;
      },
    };
  });
  afterAll(async () => {
    const g = globalThis as Record<string, unknown>;
    delete g.window;
    delete g.document;
    delete g.WebSocket;
    await system?.stop();
  });

  it('creates a task, shows images as they land, completes, then history/download/export/delete', async () => {
    // Slow enough that the socket is open before the first image lands.
    system.sandbox.state.updateSettings({ latencyMs: 250 });
    const ImageGenAPI = createImageGenAPI();
    // ImageGenerator.vue's generate(), with refs as plain variables.
    const apiKey = 'AIzaSy-frontend-example-key';
    const prompt = '一只可爱的猫咪';
    const count = 5;
    let loading = true;
    let currentTask: GenerationTask | null = null;
    const messages: ProgressMessage[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no complete message')), 20_000);
      void (async () => {
        const task = await ImageGenAPI.createTask({
          prompt,
          model: 'gemini-2.5-flash-image',
          count,
          apiKey,
          apiBase: undefined,
          aspectRatio: '9:16',
          imageSize: '1K',
        });
        currentTask = task;
        const ws = ImageGenAPI.connectWebSocket(task.id, (message) => {
          messages.push(message);
          if (message.type === 'progress' || message.type === 'complete') {
            if (currentTask) {
              currentTask.completedCount = message.completedCount;
              if (message.latestImage) currentTask.images.push(message.latestImage);
            }
          }
          if (message.type === 'complete') {
            loading = false;
            if (currentTask) currentTask.status = 'completed';
            ws?.close();
            clearTimeout(timer);
            resolve();
          }
        });
      })().catch(reject);
    });
    await done;

    const task = currentTask as unknown as GenerationTask;
    expect(loading).toBe(false);
    expect(task.status).toBe('completed');
    expect(task.totalCount).toBe(count);
    expect(task.completedCount).toBe(count);
    expect(messages.at(-1)).toMatchObject({ type: 'complete', totalCount: count, completedCount: count });
    // Every image arrived live (or, if the socket opened late, is in the status answer).
    const status = await ImageGenAPI.getTaskStatus(task.id);
    expect(status.status).toBe('completed');
    expect(status.images).toHaveLength(count);
    const live = new Set(task.images.map((image) => image.id));
    const progressWithImage = messages.filter(
      (message) => message.type === 'progress' && message.latestImage,
    );
    expect(progressWithImage.length).toBe(count);
    expect(live.size).toBe(count);
    // Positions finish in parallel, so several images may land under one count; it never goes back.
    const shown = progressWithImage.map((message) => message.completedCount);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(shown.every((value) => value >= 1 && value <= count)).toBe(true);
    expect(shown.at(-1)).toBe(count);
    for (const image of task.images) expect(status.images.map((each) => each.id)).toContain(image.id);
    for (const image of status.images) {
      expect(image).toMatchObject({ taskId: task.id, mimeType: 'image/png' });
      expect(image.width).toBeGreaterThan(0);
      expect(image.height).toBeGreaterThan(image.width); // 9:16
      expect(image.fileSize).toBeGreaterThan(0);
    }

    // The <img src> and the download link.
    const first = status.images[0]!;
    const original = await fetch(ImageGenAPI.getImageUrl(first.id));
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await original.arrayBuffer());
    expect(bytes.length).toBe(first.fileSize);
    expect((await sharp(bytes).metadata()).width).toBe(first.width);
    const download = await fetch(ImageGenAPI.getDownloadUrl(first.id));
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=.+\.png$/);

    const history = await ImageGenAPI.getHistory(1, 10);
    expect(history.total).toBe(1);
    expect(history.list[0]).toMatchObject({ id: task.id, completedCount: count, status: 'completed' });

    await ImageGenAPI.exportImages(status.images.map((image) => image.id));
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('images.zip');
    const zip = Buffer.from(await clicked[0]!.blob!.arrayBuffer());
    const entries = readZipEntries(zip);
    expect(entries.map((entry) => entry.name).sort()).toEqual(
      status.images.map((image) => `${image.id}.png`).sort(),
    );
    expect(entries.find((entry) => entry.name === `${first.id}.png`)!.data.equals(bytes)).toBe(true);

    await ImageGenAPI.deleteHistory(task.id);
    await expect(ImageGenAPI.getTaskStatus(task.id)).rejects.toThrow('任务不存在');
    expect((await fetch(ImageGenAPI.getImageUrl(first.id))).status).toBe(404);
    expect((await ImageGenAPI.getHistory()).total).toBe(0);
  });
});
