import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../ports/image-provider.port.js';
import { GeminiImageClient, encodeGeminiCredential } from './gemini-image.client.js';
import { classifyGeminiEmptyAnswer, classifyGeminiHttpError } from './gemini-errors.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function fakeFetch(answer: { status?: number; body: unknown }) {
  const calls: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    calls.push({
      url: String(input),
      headers,
      body: JSON.parse(String(init?.body)) as Record<string, unknown>,
    });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

describe('GeminiImageClient (@google/genai, PROVIDERS.md §3)', () => {
  it('sends the key, the proxy base URL, image config, sampling and inline references; skips thoughts', async () => {
    const { fetch, calls } = fakeFetch({
      body: {
        candidates: [
          {
            content: {
              parts: [
                { text: 'thinking…', thought: true },
                {
                  inlineData: { mimeType: 'image/png', data: Buffer.from('draft').toString('base64') },
                  thought: true,
                },
                { text: 'Here you go' },
                { inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
      },
    });
    const client = new GeminiImageClient({
      defaultBaseUrl: 'http://default.invalid',
      timeoutMs: 5000,
      fetch,
    });
    const refs = await client.generateImages(encodeGeminiCredential('AIza-key', 'https://proxy.example/'), {
      model: 'gemini-3-pro-image-preview',
      prompt: '一只猫',
      ratio: '16:9',
      resolution: '2K',
      inlineImages: [{ mime: 'image/jpeg', data: Buffer.from('ref') }],
      sampling: { temperature: 0.7, seed: 123, topP: 0.9, topK: 40 },
    });
    expect(refs).toHaveLength(1);
    expect(refs[0]!.data!.equals(PNG)).toBe(true);
    expect(calls[0]!.url).toBe(
      'https://proxy.example/v1beta/models/gemini-3-pro-image-preview:generateContent',
    );
    expect(calls[0]!.headers['x-goog-api-key']).toBe('AIza-key');
    expect(calls[0]!.body).toMatchObject({
      contents: [
        {
          role: 'user',
          parts: [
            { text: '一只猫' },
            { inlineData: { mimeType: 'image/jpeg', data: Buffer.from('ref').toString('base64') } },
          ],
        },
      ],
      generationConfig: {
        responseModalities: ['TEXT', 'IMAGE'],
        imageConfig: { aspectRatio: '16:9', imageSize: '2K' },
        temperature: 0.7,
        seed: 123,
        topP: 0.9,
        topK: 40,
      },
    });
  });

  it('omits imageConfig when neither ratio nor size is chosen and uses the default base URL', async () => {
    const { fetch, calls } = fakeFetch({
      body: {
        candidates: [
          { content: { parts: [{ inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } }] } },
        ],
      },
    });
    const client = new GeminiImageClient({
      defaultBaseUrl: 'http://sandbox.local/gemini',
      timeoutMs: 5000,
      fetch,
    });
    await client.generateImages('plain-key', {
      model: 'gemini-2.5-flash-image',
      prompt: 'x',
      ratio: '',
      resolution: '',
    });
    expect(calls[0]!.url).toBe(
      'http://sandbox.local/gemini/v1beta/models/gemini-2.5-flash-image:generateContent',
    );
    expect((calls[0]!.body.generationConfig as Record<string, unknown>).imageConfig).toBeUndefined();
  });

  it('classifies a 200 without image and scrubs the key from upstream messages', async () => {
    const blocked = fakeFetch({
      body: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, candidates: [] },
    });
    const client = new GeminiImageClient({
      defaultBaseUrl: 'http://x.invalid',
      timeoutMs: 5000,
      fetch: blocked.fetch,
    });
    await expect(
      client.generateImages('k', { model: 'm', prompt: 'p', ratio: '', resolution: '' }),
    ).rejects.toMatchObject({
      kind: 'content_blocked',
    });
    const secret = 'AIzaSySECRETSECRETSECRET';
    const suspended = fakeFetch({
      status: 403,
      body: {
        error: {
          code: 403,
          message: `Permission denied: Consumer 'api_key:${secret}' has been suspended.`,
          status: 'PERMISSION_DENIED',
        },
      },
    });
    const other = new GeminiImageClient({
      defaultBaseUrl: 'http://x.invalid',
      timeoutMs: 5000,
      fetch: suspended.fetch,
    });
    const error = await other
      .generateImages(secret, { model: 'm', prompt: 'p', ratio: '', resolution: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('session_expired');
    expect((error as ProviderError).message).not.toContain(secret);
  });
});

describe('Gemini failure classification', () => {
  it.each([
    [429, 'RESOURCE_EXHAUSTED', 'rate_limited'],
    [401, 'UNAUTHENTICATED', 'session_expired'],
    [403, 'PERMISSION_DENIED', 'session_expired'],
    [400, 'API key not valid. Please pass a valid API key.', 'session_expired'],
    [400, 'INVALID_ARGUMENT', 'invalid_request'],
    [404, 'models/x is not found', 'invalid_request'],
    [500, 'INTERNAL', 'upstream_error'],
    [503, 'UNAVAILABLE', 'upstream_error'],
    [504, 'DEADLINE_EXCEEDED', 'timeout'],
  ])('HTTP %i %s → %s', (status, message, kind) => {
    expect(classifyGeminiHttpError(status, message).kind).toBe(kind);
  });

  it.each([
    [{ finishReason: 'SAFETY' }, 'content_blocked'],
    [{ finishReason: 'PROHIBITED_CONTENT' }, 'content_blocked'],
    [{ finishReason: 'IMAGE_SAFETY' }, 'content_blocked'],
    [{ finishReason: 'NO_IMAGE' }, 'invalid_request'],
    [{ finishReason: 'IMAGE_OTHER' }, 'invalid_request'],
    [{ blockReason: 'SAFETY' }, 'content_blocked'],
    [{ text: 'I can only describe it' }, 'invalid_request'],
  ])('200 without image %j → %s', (answer, kind) => {
    const error = classifyGeminiEmptyAnswer(answer);
    expect(error.kind).toBe(kind);
    expect(error.retryElsewhere).toBe(false);
  });
});

describe('GeminiImageClient with a caller-supplied base (contract 004 apiBase)', () => {
  it('calls it through the outbound policy: a private address is refused before connecting', async () => {
    const { OutboundPolicy } = await import('../../../shared/outbound/outbound-policy.js');
    const { createServer } = await import('node:http');
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const client = new GeminiImageClient({
        defaultBaseUrl: 'https://generativelanguage.googleapis.com',
        timeoutMs: 5000,
        outbound: new OutboundPolicy(),
      });
      for (const base of [`http://127.0.0.1:${port}`, `http://0x7f000001:${port}`, `http://[::1]:${port}`]) {
        const error = await client
          .generateImages(encodeGeminiCredential('k', base), {
            model: 'm',
            prompt: 'p',
            ratio: '',
            resolution: '',
          })
          .catch((e: unknown) => e);
        expect(error, base).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('invalid_request');
        expect((error as ProviderError).message).toMatch(/Gemini call refused: .*not a public address/);
      }
      expect(hits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('classifies a caller base’s error answer without quoting it', () => {
    const quoted = classifyGeminiHttpError(404, '<html>internal secret</html>');
    expect(quoted.message).toContain('internal secret');
    const generic = classifyGeminiHttpError(404, '<html>internal secret</html>', { quote: false });
    expect(generic.kind).toBe('invalid_request');
    expect(generic.message).toBe('Gemini refused the request: upstream answered HTTP 404');
    const key = classifyGeminiHttpError(400, 'API key not valid. Please pass a valid API key.', {
      quote: false,
    });
    expect(key.kind).toBe('session_expired');
    expect(key.message).not.toContain('API key not valid');
  });
});
