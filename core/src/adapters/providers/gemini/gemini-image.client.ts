import { ApiError, GoogleGenAI, type GenerateContentConfig, type Part } from '@google/genai';
import {
  ProviderError,
  type GeneratedAssetRef,
  type ImageGenerationRequest,
  type ImageProvider,
} from '../../../ports/image-provider.port.js';
import { maskSecret } from '../../../shared/secret-box.js';
import { classifyGeminiEmptyAnswer, classifyGeminiHttpError } from './gemini-errors.js';

export interface GeminiImageClientOptions {
  /** Base URL when the caller names none (the sandbox in development, Google otherwise). */
  defaultBaseUrl: string;
  /** Per-call timeout in ms. */
  timeoutMs: number;
  /** HTTP implementation (tests); default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * The credential handed to a Gemini call: an API key, optionally with the base URL of a proxy
 * (contract 004's `apiBase`) as `{"apiKey","baseUrl"}` JSON, so one sealed string carries both.
 */
export function encodeGeminiCredential(apiKey: string, baseUrl?: string): string {
  return baseUrl ? JSON.stringify({ apiKey, baseUrl }) : apiKey;
}

function decodeCredential(credential: string): { apiKey: string; baseUrl?: string } {
  if (credential.startsWith('{')) {
    const parsed = JSON.parse(credential) as { apiKey: string; baseUrl?: string };
    return { apiKey: parsed.apiKey, baseUrl: parsed.baseUrl };
  }
  return { apiKey: credential };
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join(maskSecret(secret)) : text;
}

/** Gemini image generation ("Nano Banana") through @google/genai (PROVIDERS.md §3). */
export class GeminiImageClient implements ImageProvider {
  constructor(private readonly options: GeminiImageClientOptions) {}

  async generateImages(
    credential: string,
    request: ImageGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]> {
    const { apiKey, baseUrl } = decodeCredential(credential);
    const ai = new GoogleGenAI({
      apiKey,
      httpOptions: {
        baseUrl: (baseUrl ?? this.options.defaultBaseUrl).replace(/\/+$/, ''),
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      },
    });
    const parts: Part[] = [{ text: request.prompt }];
    for (const image of request.inlineImages ?? [])
      parts.push({ inlineData: { mimeType: image.mime, data: image.data.toString('base64') } });
    const imageConfig: Record<string, string> = {};
    if (request.ratio) imageConfig.aspectRatio = request.ratio;
    if (request.resolution) imageConfig.imageSize = request.resolution;
    const config: GenerateContentConfig = {
      responseModalities: ['TEXT', 'IMAGE'],
      ...(Object.keys(imageConfig).length ? { imageConfig } : {}),
      ...request.sampling,
      abortSignal: signal,
      httpOptions: { timeout: this.options.timeoutMs },
    };
    let response;
    try {
      response = await ai.models.generateContent({
        model: request.model,
        contents: [{ role: 'user', parts }],
        config,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      // Upstream messages may quote the key ("Consumer 'api_key:…' has been suspended"): scrub it.
      const message = redact(error instanceof Error ? error.message : String(error), apiKey);
      if (error instanceof ApiError) throw classifyGeminiHttpError(error.status, message);
      if (/timed? ?out|aborted/i.test(message)) throw new ProviderError('timeout', `Gemini call timed out`);
      throw new ProviderError('upstream_error', `Gemini unreachable: ${message.slice(0, 200)}`);
    }
    const refs: GeneratedAssetRef[] = [];
    const texts: string[] = [];
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      // Thinking models send draft images and reasoning marked `thought`; they are not outputs.
      if (part.thought) continue;
      if (part.inlineData?.data) {
        refs.push({ data: Buffer.from(part.inlineData.data, 'base64'), mime: part.inlineData.mimeType });
      } else if (part.text) {
        texts.push(part.text);
      }
    }
    if (refs.length > 0) return refs;
    throw classifyGeminiEmptyAnswer({
      blockReason: response.promptFeedback?.blockReason,
      finishReason: candidate?.finishReason,
      text: texts.join(' '),
    });
  }
}
