import { ApiError, GoogleGenAI, type GenerateContentConfig, type Part } from '@google/genai';
import {
  ProviderError,
  type GeneratedAssetRef,
  type ImageGenerationRequest,
  type ImageProvider,
} from '../../../ports/image-provider.port.js';
import { maskSecret } from '../../../shared/secret-box.js';
import { BaseUrlAllowlist } from '../../../shared/outbound/base-url-allowlist.js';
import { OutboundNetworkError, OutboundRefusedError } from '../../../shared/outbound/outbound-errors.js';
import type { OutboundPolicy } from '../../../shared/outbound/outbound-policy.js';
import { classifyGeminiEmptyAnswer, classifyGeminiHttpError } from './gemini-errors.js';

export interface GeminiImageClientOptions {
  /** Base URL when the caller names none (the sandbox in development, Google otherwise). */
  defaultBaseUrl: string;
  /** Per-call timeout in ms. */
  timeoutMs: number;
  /** HTTP implementation (tests); default the global fetch. */
  fetch?: typeof fetch;
  /**
   * Calls to a caller-supplied base URL (contract 004's apiBase) go through it: the address is
   * checked at connect time and on every redirect. The configured default base is trusted.
   */
  outbound?: OutboundPolicy;
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

/** The outbound policy's refusal behind an error the SDK may have wrapped. */
function refusalOf(error: unknown): OutboundRefusedError | undefined {
  for (let each = error, depth = 0; each && depth < 4; depth += 1) {
    if (each instanceof OutboundRefusedError) return each;
    each = (each as { cause?: unknown }).cause;
  }
  return undefined;
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join(maskSecret(secret)) : text;
}

/** Gemini image generation ("Nano Banana") through @google/genai (PROVIDERS.md §3). */
export class GeminiImageClient implements ImageProvider {
  private readonly defaultBase: BaseUrlAllowlist;

  constructor(private readonly options: GeminiImageClientOptions) {
    this.defaultBase = new BaseUrlAllowlist([options.defaultBaseUrl]);
  }

  /** The fetch for a call: the test's, the outbound policy's for a caller's own base, else global. */
  private fetchFor(callerBase: boolean): typeof fetch | undefined {
    if (this.options.fetch) return this.options.fetch;
    const outbound = this.options.outbound;
    if (!callerBase || !outbound) return undefined;
    // Base64 images make an answer about 4/3 of the image; the timeout is the SDK's own.
    const maxBytes = Math.ceil(outbound.maxResponseBytes * 1.4);
    return ((input: string | URL | Request, init?: RequestInit) =>
      outbound.fetch(input, { ...init, maxBytes, timeoutMs: this.options.timeoutMs })) as typeof fetch;
  }

  async generateImages(
    credential: string,
    request: ImageGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]> {
    const { apiKey, baseUrl } = decodeCredential(credential);
    // A base the caller chose (not the configured one) is untrusted: policy fetch, no quoted answers.
    const callerBase = baseUrl !== undefined && !this.defaultBase.allows(baseUrl);
    const fetchImpl = this.fetchFor(callerBase);
    const ai = new GoogleGenAI({
      apiKey,
      httpOptions: {
        baseUrl: (baseUrl ?? this.options.defaultBaseUrl).replace(/\/+$/, ''),
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
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
      // The caller's generation config fields (contract 004's options, e.g. responseModalities ["IMAGE"]).
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
      if (error instanceof ApiError)
        throw classifyGeminiHttpError(error.status, message, { quote: !callerBase });
      const cause = refusalOf(error);
      if (cause?.reason === 'timeout' || /timed? ?out|aborted/i.test(message))
        throw new ProviderError('timeout', `Gemini call timed out`);
      // Our own policy's words (a private address, a redirect, too large): safe to show.
      // The reason (redirect, private_address, too_large…) is ours, so 004 callers may see it too.
      if (cause)
        throw new ProviderError(
          'invalid_request',
          `Gemini call refused: ${cause.message}`,
          `outbound policy: ${cause.reason}`,
        );
      if (callerBase) {
        // Anything else may quote the answer (a JSON parse error shows its first characters).
        const network = error instanceof OutboundNetworkError ? `: ${error.message}` : '';
        throw new ProviderError('upstream_error', `Gemini unreachable or answered unreadably${network}`);
      }
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
