import { ApiError, GoogleGenAI, type Part } from '@google/genai';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

let sandbox: Sandbox;
const client = (apiKey = 'gemini-test-key') =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: `${sandbox.url}/gemini` } });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, latencyMs: 5, imageScale: 0.05, log: () => undefined });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.state.reset());

/** Image parts a client should keep: inline data that is not a thought. */
function finalImages(parts: Part[] | undefined): Part[] {
  return (parts ?? []).filter((part) => part.inlineData && !part.thought);
}

async function expectApiError(promise: Promise<unknown>, status: number, pattern?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(status);
  if (pattern) expect((error as ApiError).message).toMatch(pattern);
}

describe('gemini: generateContent through @google/genai', () => {
  it('returns an inline PNG sized by aspect ratio', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: 'a paper boat on a pond',
      config: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    const [candidate] = response.candidates ?? [];
    expect(candidate.finishReason).toBe('STOP');
    const [image] = finalImages(candidate.content?.parts);
    expect(image.inlineData?.mimeType).toBe('image/png');
    const meta = await sharp(Buffer.from(image.inlineData!.data!, 'base64')).metadata();
    // 16:9 at 1K is 1344x768; times the test scale 0.05.
    expect(meta).toMatchObject({ format: 'png', width: 67, height: 38 });
    expect(response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(sandbox.state.callCount('gemini', 'gemini-test-key', 'generateContent')).toBe(1);
  });

  it('honours imageSize on gemini-3 and sends thought parts clients must skip', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-3-pro-image-preview',
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'make it night time' },
            {
              inlineData: {
                mimeType: 'image/png',
                data: (
                  await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00f' } })
                    .png()
                    .toBuffer()
                ).toString('base64'),
              },
            },
          ],
        },
      ],
      config: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '1:1', imageSize: '2K' } },
    });
    const parts = response.candidates?.[0].content?.parts ?? [];
    expect(parts.some((part) => part.thought === true && part.text)).toBe(true);
    expect(parts.some((part) => part.thought === true && part.inlineData)).toBe(true);
    const [image] = finalImages(parts);
    const meta = await sharp(Buffer.from(image.inlineData!.data!, 'base64')).metadata();
    expect(meta).toMatchObject({ width: 102, height: 102 });
  });

  it('streams with generateContentStream', async () => {
    const stream = await client().models.generateContentStream({
      model: 'gemini-3-pro-image-preview',
      contents: 'a red kite',
    });
    const parts: Part[] = [];
    let finishReason: string | undefined;
    for await (const chunk of stream) {
      parts.push(...(chunk.candidates?.[0].content?.parts ?? []));
      finishReason = chunk.candidates?.[0].finishReason ?? finishReason;
    }
    expect(finishReason).toBe('STOP');
    expect(finalImages(parts)).toHaveLength(1);
  });

  it('accepts the key as ?key= too', async () => {
    const response = await fetch(
      `${sandbox.url}/gemini/v1beta/models/gemini-2.5-flash-image:generateContent?key=query-key`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      },
    );
    expect(response.status).toBe(200);
    expect(sandbox.state.callCount('gemini', 'query-key')).toBe(1);
  });
});

describe('gemini: errors and failures', () => {
  it('validates imageConfig with Google-style 400s (upper-case K only)', async () => {
    const ai = client();
    await expectApiError(
      ai.models.generateContent({
        model: 'gemini-3-pro-image-preview',
        contents: 'x',
        config: { imageConfig: { imageSize: '2k' } },
      }),
      400,
      /INVALID_ARGUMENT/,
    );
    await expectApiError(
      ai.models.generateContent({
        model: 'gemini-2.5-flash-image',
        contents: 'x',
        config: { imageConfig: { aspectRatio: '7:3' } },
      }),
      400,
    );
    const raw = await fetch(`${sandbox.url}/gemini/v1beta/models/gemini-2.5-flash-image:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({
        contents: [{ parts: [{ text: 'x' }] }],
        generationConfig: { imageConfig: { aspectRatio: '7:3' } },
      }),
    });
    expect(await raw.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.any(String) },
    });
  });

  it('refuses bad keys: invalid 400, suspended 403, missing 403', async () => {
    sandbox.state.setGeminiKey('bad', 'invalid');
    sandbox.state.setGeminiKey('gone', 'suspended');
    await expectApiError(
      client('bad').models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'x' }),
      400,
      /API key not valid/,
    );
    await expectApiError(
      client('gone').models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'x' }),
      403,
    );
    const missing = await fetch(
      `${sandbox.url}/gemini/v1beta/models/gemini-2.5-flash-image:generateContent`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      },
    );
    expect(missing.status).toBe(403);
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
  ])('injects HTTP %i (%s)', async (code, status) => {
    sandbox.state.injectFault({ provider: 'gemini', credential: 'gemini-test-key', code });
    await expectApiError(
      client().models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'x' }),
      code,
      new RegExp(status),
    );
    // Consumed: the next call works.
    const ok = await client().models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'x' });
    expect(ok.candidates?.[0].finishReason).toBe('STOP');
  });

  it.each(['SAFETY', 'IMAGE_SAFETY', 'NO_IMAGE', 'PROHIBITED_CONTENT', 'IMAGE_OTHER'])(
    'answers 200 without an image and finishReason %s',
    async (finishReason) => {
      const kind = finishReason.toLowerCase().replace(/_/g, '-');
      sandbox.state.injectFault({ provider: 'gemini', kind });
      const response = await client().models.generateContent({
        model: 'gemini-2.5-flash-image',
        contents: 'x',
      });
      expect(response.candidates?.[0].finishReason).toBe(finishReason);
      expect(finalImages(response.candidates?.[0].content?.parts)).toHaveLength(0);
    },
  );

  it('blocks prompts with promptFeedback.blockReason (also via a prompt marker)', async () => {
    const response = await client().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: 'something [sandbox:prompt-prohibited]',
    });
    expect(response.promptFeedback?.blockReason).toBe('PROHIBITED_CONTENT');
    expect(response.candidates).toBeUndefined();
  });

  it('can answer text only', async () => {
    sandbox.state.injectFault({ provider: 'gemini', kind: 'text-only' });
    const response = await client().models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: 'x',
    });
    expect(response.text).toMatch(/can't generate/);
    expect(finalImages(response.candidates?.[0].content?.parts)).toHaveLength(0);
  });

  it('404s unknown models', async () => {
    await expectApiError(
      client().models.generateContent({ model: 'imagen-9', contents: 'x' }),
      404,
      /not found/,
    );
  });
});
