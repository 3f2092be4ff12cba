import type {
  GeneratedAssetRef,
  ImageGenerationRequest,
  ImageProvider,
  VideoGenerationRequest,
  VideoProvider,
} from '../../../ports/image-provider.port.js';
import { ProviderError } from '../../../ports/image-provider.port.js';
import { JIMENG_HTTP_STATUS_KINDS } from './jimeng-error-wordings.js';
import { classifyJimengError, classifyJimengHttpStatus } from './jimeng-errors.js';

export interface JimengGatewayOptions {
  /** e.g. `http://127.0.0.1:4010/jimeng` (the sandbox) or a jimeng-api gateway's root. */
  baseUrl: string;
  /** Generation calls are synchronous and may take minutes. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface JimengPoints {
  giftCredit: number;
  purchaseCredit: number;
  vipCredit: number;
  totalCredit: number;
}

/**
 * Talks to a jimeng-api-compatible gateway (PROVIDERS.md §1) with exactly one session id
 * per request: Dreamloom, not the gateway, chooses the account.
 */
export class JimengGatewayClient implements ImageProvider, VideoProvider {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: JimengGatewayOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async generateImages(
    sessionId: string,
    request: ImageGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]> {
    const composition = (request.images?.length ?? 0) > 0;
    const body = {
      model: request.model,
      prompt: request.prompt,
      ratio: request.ratio,
      resolution: request.resolution,
      ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
      ...(request.sampleStrength !== undefined ? { sample_strength: request.sampleStrength } : {}),
      ...(request.intelligentRatio !== undefined ? { intelligent_ratio: request.intelligentRatio } : {}),
      ...(composition ? { images: request.images } : {}),
    };
    const result = await this.post<{ data?: Array<{ url?: string; b64_json?: string }> }>(
      composition ? '/v1/images/compositions' : '/v1/images/generations',
      sessionId,
      body,
      signal,
    );
    const assets = (result.data ?? []).flatMap((item): GeneratedAssetRef[] => {
      if (item.url) return [{ url: item.url }];
      if (item.b64_json) return [{ data: Buffer.from(item.b64_json, 'base64') }];
      return [];
    });
    if (assets.length === 0) throw new ProviderError('upstream_error', 'Gateway answered without images');
    return assets;
  }

  /** `/v1/videos/generations`: one frame URL is the first frame, two are first and last (ratio is then ignored). */
  async generateVideos(
    sessionId: string,
    request: VideoGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]> {
    const body = {
      model: request.model,
      prompt: request.prompt,
      resolution: request.resolution,
      duration: request.duration,
      ...(request.frames?.length
        ? { file_paths: request.frames.slice(0, 2) }
        : { ratio: request.ratio ?? '16:9' }),
    };
    const result = await this.post<{ data?: Array<{ url?: string }> }>(
      '/v1/videos/generations',
      sessionId,
      body,
      signal,
    );
    const assets = (result.data ?? []).flatMap((item) => (item.url ? [{ url: item.url }] : []));
    if (assets.length === 0) throw new ProviderError('upstream_error', 'Gateway answered without a video');
    return assets;
  }

  async checkSession(sessionId: string, signal?: AbortSignal): Promise<boolean> {
    const result = await this.post<{ live?: boolean }>('/token/check', null, { token: sessionId }, signal);
    return result.live === true;
  }

  async points(sessionId: string, signal?: AbortSignal): Promise<JimengPoints | null> {
    const result = await this.post<Array<{ points?: JimengPoints }>>('/token/points', sessionId, {}, signal);
    return Array.isArray(result) ? (result[0]?.points ?? null) : null;
  }

  private async post<T>(
    path: string,
    sessionId: string | null,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(sessionId ? { authorization: `Bearer ${sessionId}` } : {}),
        },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error; // cancellation is not a provider failure
      if (timeout.aborted)
        throw new ProviderError('timeout', `Gateway did not answer within ${this.options.timeoutMs} ms`);
      throw new ProviderError('upstream_error', `Gateway unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw this.httpFailure(response.status, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProviderError('upstream_error', `Gateway answered with non-JSON: ${text.slice(0, 120)}`);
    }
    // Errors come back as HTTP 200 with a negative `code`; success bodies carry no `code`.
    const failure = gatewayFailure(parsed);
    if (failure) throw failure;
    return parsed as T;
  }

  /** A non-2xx answer: the status decides when it means something; else a gateway error body inside, if any. */
  private httpFailure(status: number, text: string): ProviderError {
    if (!(status in JIMENG_HTTP_STATUS_KINDS)) {
      try {
        const inner = gatewayFailure(JSON.parse(text));
        if (inner) return inner;
      } catch {
        // not JSON: the status is all there is
      }
    }
    return classifyJimengHttpStatus(status, text);
  }
}

/** The classified failure of a gateway error body (`{code, message, data}`), or null for a success body. */
function gatewayFailure(parsed: unknown): ProviderError | null {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('code' in parsed)) return null;
  const { code, message } = parsed as { code: unknown; message?: unknown };
  return classifyJimengError(Number(code), String(message ?? ''));
}
