import { createServer, type Server } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './support/clients.js';
import { walletLogin } from './support/story.js';
import { startSystem, type RunningSystem } from './support/system.js';

interface T2iStatus {
  task_id: string;
  status: string;
  progress: number;
  image_prompt?: string;
  image_url: string | null;
  icon_url: string | null;
  images: Array<{ id: string; url: string; thumbnail_url: string | null }>;
  error: string | null;
}

/**
 * Contract 002's media endpoints against the sandbox with a real worker: image-to-text chat
 * completions, character avatars and story backgrounds (an LLM writes the image prompt, the
 * generation engine draws it, the image is stored and served), their validation errors in the
 * documented shapes, and that one user cannot reach another's tasks, characters or stories.
 */
describe('contract 002 story media (avatars, backgrounds, image-to-text)', () => {
  let system: RunningSystem;
  let alice: string;
  let mallory: string;

  beforeAll(async () => {
    system = await startSystem();
    system.sandbox.state.updateSettings({ chatFirstTokenMs: 1, chatChunkIntervalMs: 1 });
    alice = (await walletLogin(system)).token;
    mallory = (await walletLogin(system)).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function waitForImage(token: string, taskId: string): Promise<T2iStatus> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await api<T2iStatus>(system.baseUrl, 'GET', `/api/v1/ai/t2i/status/${taskId}`, {
        token,
      });
      expect(status.status).toBe(200);
      if (status.body.status === 'completed' || status.body.status === 'failed') return status.body;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${status.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Downloads a served image without credentials (the contract serves images publicly). */
  async function served(url: string) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\//);
    const bytes = Buffer.from(await response.arrayBuffer());
    return { bytes, meta: await sharp(bytes).metadata() };
  }

  describe('POST /api/v1/ai/i2t/chat/completions', () => {
    const path = '/api/v1/ai/i2t/chat/completions';

    it('describes an uploaded image through an i2t model (the OpenAI response shape)', async () => {
      const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0a0' } })
        .png()
        .toBuffer();
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'green.png');
      const upload = await fetch(`${system.baseUrl}/api/v1/images/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}` },
        body: form,
      });
      const { url } = (await upload.json()) as { url: string };

      const answer = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: {
          model_id: 'vision-1',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Describe this picture' },
                { type: 'image_url', image_url: { url } },
              ],
            },
          ],
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        // The contract's example answers with the upstream model's name.
        model: 'gpt-4o',
        choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
          total_tokens: expect.any(Number),
        },
      });
      expect(answer.body.choices[0].message.content.length).toBeGreaterThan(0);
    });

    it("hands the image part to the model's own endpoint unchanged, with the model's key", async () => {
      // A vision endpoint of our own (a catalog model may name its base URL) that records the request.
      const seen: Array<{ auth: string | undefined; body: any }> = [];
      const vision: Server = createServer((req, res) => {
        let raw = '';
        req.on('data', (chunk) => (raw += chunk));
        req.on('end', () => {
          seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              id: 'chatcmpl-upstream',
              object: 'chat.completion',
              created: 1,
              model: 'qwen-vl-plus',
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: '这是一张绿色的图片' },
                  finish_reason: 'stop',
                },
              ],
              usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
            }),
          );
        });
      });
      await new Promise<void>((resolve) => vision.listen(0, '127.0.0.1', resolve));
      try {
        const port = (vision.address() as { port: number }).port;
        const model = await api(system.baseUrl, 'POST', '/api/v1/story-admin/ai-models', {
          token: system.admin.token,
          body: {
            llm_id: 'qwen-vl-plus-1',
            type: 'i2t',
            provider_model: 'qwen-vl-plus',
            base_url: `http://127.0.0.1:${port}/v1`,
            api_key: 'sk-vision-test',
          },
        });
        expect(model.status).toBe(201);
        const imageUrl = `${system.baseUrl}/api/v1/images/bbb29707-fda1-434d-bc87-b9d4d6089783.png`;
        const answer = await api(system.baseUrl, 'POST', path, {
          token: alice,
          body: {
            model_id: 'qwen-vl-plus-1',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: '描述一下这个图片' },
                  { type: 'image_url', image_url: { url: imageUrl } },
                ],
              },
            ],
          },
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          object: 'chat.completion',
          model: 'qwen-vl-plus',
          choices: [{ message: { role: 'assistant', content: '这是一张绿色的图片' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
        });
        expect(seen).toHaveLength(1);
        expect(seen[0].auth).toBe('Bearer sk-vision-test');
        expect(seen[0].body.model).toBe('qwen-vl-plus');
        expect(seen[0].body.messages).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: '描述一下这个图片' },
              { type: 'image_url', image_url: { url: imageUrl } },
            ],
          },
        ]);
      } finally {
        await new Promise((resolve) => vision.close(resolve));
      }
    });

    it('answers the documented errors: invalid_model (also a non-i2t model), validation, unauthorized', async () => {
      const messages = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }];
      const unknown = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { model_id: 'no-such-vision', messages },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({
        error: {
          code: 'invalid_model',
          message: "The model 'no-such-vision' does not exist or is not available.",
        },
      });
      // A chat model is not an image-to-text model.
      const wrongType = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { model_id: 'sandbox-chat', messages },
      });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error.code).toBe('invalid_model');

      const noMessages = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { model_id: 'vision-1', messages: [] },
      });
      expect(noMessages.status).toBe(400);
      expect(noMessages.body).toEqual({
        error: { code: 'validation_error', message: expect.stringContaining('body.messages') },
      });
      const badRole = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { model_id: 'vision-1', messages: [{ role: 'narrator', content: 'x' }] },
      });
      expect(badRole.status).toBe(400);
      expect(badRole.body.error.message).toMatch(/body\.messages\.0\.role/);

      const anonymous = await api(system.baseUrl, 'POST', path, { body: { model_id: 'vision-1', messages } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      const badToken = await api(system.baseUrl, 'POST', path, {
        token: 'paw_not-a-token',
        body: { model_id: 'vision-1', messages },
      });
      expect(badToken.status).toBe(401);
      expect(badToken.body.error.code).toBe('unauthorized');
    });
  });

  describe('POST /api/v1/character-avatar/generate', () => {
    const path = '/api/v1/character-avatar/generate';

    it('writes the prompt with an LLM, draws a 3:4 avatar, stores and serves it; only its owner sees it', async () => {
      const started = await api<T2iStatus>(system.baseUrl, 'POST', path, {
        token: alice,
        body: {
          llm_id_for_prompt: 'prompt-writer',
          llm_id_for_t2i: 'jimeng-4.5',
          art_style_keyword: 'watercolor',
          character_description: 'A fox spirit with silver hair and a red scarf',
          personality: 'playful, curious',
          reference_image_description: 'standing under cherry blossoms',
        },
      });
      expect(started.status).toBe(200);
      expect(started.body.task_id).toEqual(expect.any(String));
      expect(['pending', 'processing', 'completed']).toContain(started.body.status);
      expect(started.body.image_prompt!.length).toBeGreaterThan(10);

      const done = await waitForImage(alice, started.body.task_id);
      expect(done).toMatchObject({ status: 'completed', progress: 100, error: null });
      expect(done.images).toHaveLength(1);
      expect(done.image_url).toBe(done.images[0].url);
      expect(done.image_url!.startsWith(system.baseUrl)).toBe(true);
      const image = await served(done.image_url!);
      expect(image.meta.width! / image.meta.height!).toBeCloseTo(3 / 4, 1);
      const icon = await served(done.icon_url!);
      expect(icon.meta.width!).toBeLessThanOrEqual(image.meta.width!);
      // The generation is recorded as the story's, drawn by the catalog's t2i model.
      const task = await system.core.models.GenerationTask.findByPk(done.task_id);
      expect(task).toMatchObject({ source: 'story', model: 'jimeng-4.5', prompt: started.body.image_prompt });

      // The avatar becomes a character of Alice's.
      const character = await api(system.baseUrl, 'POST', '/api/v1/character-avatar/create', {
        token: alice,
        body: {
          character_name: 'Kitsune',
          character_description: 'A fox spirit',
          personality: 'playful',
          image_prompt: started.body.image_prompt,
          image_url: done.image_url,
          icon_url: done.icon_url,
        },
      });
      expect(character.status).toBe(200);
      expect(character.body).toMatchObject({ image_url: done.image_url, icon_url: done.icon_url });

      // Mallory can neither follow Alice's task nor put an avatar on Alice's (private) character,
      // which to her does not exist.
      const peek = await api(system.baseUrl, 'GET', `/api/v1/ai/t2i/status/${done.task_id}`, {
        token: mallory,
      });
      expect(peek.status).toBe(404);
      expect(peek.body).toEqual({ detail: expect.any(String) });
      const theirs = await api(system.baseUrl, 'PUT', `/api/v1/characters/${character.body.id}`, {
        token: mallory,
        body: { avatar: done.image_url },
      });
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual({ detail: expect.any(String) });
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/characters/${character.body.id}`, { token: mallory }))
          .status,
      ).toBe(404);
    });

    it('refuses bad input in the {detail} shape: description, unknown or non-t2i models, no caller', async () => {
      const missing = await api(system.baseUrl, 'POST', path, { token: alice, body: { personality: 'shy' } });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ detail: expect.stringContaining('body.character_description') });
      const empty = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { character_description: '' },
      });
      expect(empty.status).toBe(400);
      const tooLong = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { character_description: 'x'.repeat(4001) },
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.detail).toMatch(/character_description/);

      const before = await system.core.models.GenerationTask.count();
      const unknownT2i = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { character_description: 'a knight', llm_id_for_t2i: 'no-such-painter' },
      });
      expect(unknownT2i.status).toBe(400);
      expect(unknownT2i.body).toEqual({
        detail: "The model 'no-such-painter' does not exist or is not available.",
      });
      // A t2i model cannot write the prompt, and a chat model cannot draw.
      const painterAsWriter = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { character_description: 'a knight', llm_id_for_prompt: 'jimeng-4.5' },
      });
      expect(painterAsWriter.status).toBe(400);
      const writerAsPainter = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { character_description: 'a knight', llm_id_for_t2i: 'sandbox-chat' },
      });
      expect(writerAsPainter.status).toBe(400);
      // Refused requests start no generation.
      expect(await system.core.models.GenerationTask.count()).toBe(before);

      const anonymous = await api(system.baseUrl, 'POST', path, {
        body: { character_description: 'a knight' },
      });
      expect(anonymous.status).toBe(401);
      // The contract's documented 401 body.
      expect(anonymous.body).toEqual({ detail: 'Not authenticated' });
    });
  });

  describe('when a provider fails', () => {
    it('a blocked drawing ends the task as failed with a reason and no image', async () => {
      system.sandbox.state.injectFault({ provider: 'jimeng', kind: 'content-blocked', count: 1 });
      const started = await api<T2iStatus>(
        system.baseUrl,
        'POST',
        '/api/v1/llm/generate/story-background-image',
        {
          token: alice,
          body: { background_description: 'A battlefield at dawn' },
        },
      );
      expect(started.status).toBe(200);
      const done = await waitForImage(alice, started.body.task_id);
      expect(done).toMatchObject({ status: 'failed', image_url: null, icon_url: null, images: [] });
      expect(done.error).toEqual(expect.any(String));
      expect(done.error!.length).toBeGreaterThan(0);
    });

    it('a prompt writer that keeps failing is a 502 in the {detail} shape, and nothing is drawn', async () => {
      const before = await system.core.models.GenerationTask.count();
      system.sandbox.state.injectFault({ provider: 'openai', kind: 'server-error', count: 20 });
      try {
        const refused = await api(system.baseUrl, 'POST', '/api/v1/character-avatar/generate', {
          token: alice,
          body: { character_description: 'a knight', llm_id_for_prompt: 'prompt-writer' },
        });
        expect(refused.status).toBe(502);
        expect(refused.body).toEqual({ detail: expect.any(String) });
        expect(await system.core.models.GenerationTask.count()).toBe(before);
      } finally {
        system.sandbox.state.clearFaults();
      }
    });
  });

  describe('POST /api/v1/llm/generate/story-background-image', () => {
    const path = '/api/v1/llm/generate/story-background-image';

    it('draws a 16:9 background that a story is published with; others cannot touch the task or the story', async () => {
      const started = await api<T2iStatus>(system.baseUrl, 'POST', path, {
        token: alice,
        body: {
          style_keyword: 'ink wash',
          background_description: 'A mountain inn at dusk, lanterns glowing in the snow',
        },
      });
      expect(started.status).toBe(200);
      expect(started.body.image_prompt!.length).toBeGreaterThan(10);
      const done = await waitForImage(alice, started.body.task_id);
      expect(done.status).toBe('completed');
      const image = await served(done.image_url!);
      expect(image.meta.width! / image.meta.height!).toBeCloseTo(16 / 9, 1);
      expect((await system.core.models.GenerationTask.findByPk(done.task_id))?.source).toBe('story');

      const character = await api(system.baseUrl, 'POST', '/api/v1/characters', {
        token: alice,
        body: { name: 'Innkeeper', personality: 'warm', background: 'runs the inn' },
      });
      const published = await api(system.baseUrl, 'POST', '/api/v1/story/publish', {
        token: alice,
        body: {
          story_name: `Snow Inn ${Date.now()}`,
          template_content: 'A quiet night at the inn.',
          characters: [character.body.id],
          bg_image_url: done.image_url,
          language: 'English',
        },
      });
      expect(published.status).toBe(200);
      const listed = await api(system.baseUrl, 'GET', '/api/v1/story/published?page=1&limit=50', {
        token: mallory,
      });
      expect(listed.body.find((s: { id: string }) => s.id === published.body.id).background).toBe(
        done.image_url,
      );

      const peek = await api(system.baseUrl, 'GET', `/api/v1/ai/t2i/status/${done.task_id}`, {
        token: mallory,
      });
      expect(peek.status).toBe(404);
      const rename = await api(system.baseUrl, 'PUT', `/api/v1/stories/${published.body.id}`, {
        token: mallory,
        body: { title: 'Mine now' },
      });
      expect(rename.status).toBe(403);
      expect(rename.body).toEqual({ detail: expect.any(String) });
      expect(
        (await api(system.baseUrl, 'DELETE', `/api/v1/stories/${published.body.id}`, { token: mallory }))
          .status,
      ).toBe(403);
    });

    it('refuses bad input in the {detail} shape', async () => {
      const anonymous = await api(system.baseUrl, 'POST', path, {
        body: { background_description: 'a forest' },
      });
      expect(anonymous).toMatchObject({ status: 401, body: { detail: 'Not authenticated' } });
      const missing = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { style_keyword: 'oil' },
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ detail: expect.stringContaining('body.background_description') });
      const wrongType = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { background_description: 'a forest', style_keyword: 42 },
      });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.detail).toMatch(/style_keyword/);
      const unknownWriter = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: { background_description: 'a forest', llm_id: 'no-such-writer' },
      });
      expect(unknownWriter.status).toBe(400);
      expect(unknownWriter.body).toEqual({
        detail: "The model 'no-such-writer' does not exist or is not available.",
      });
      const notJson = await api(system.baseUrl, 'POST', path, {
        token: alice,
        body: '{"background_description":',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(400);
      expect(notJson.body).toEqual({ detail: expect.any(String) });
    });
  });
});
