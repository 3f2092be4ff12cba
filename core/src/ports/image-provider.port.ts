/** One text-to-image request, provider-neutral. */
export interface ImageGenerationRequest {
  model: string;
  prompt: string;
  negativePrompt?: string;
  ratio: string;
  resolution: string;
  sampleStrength?: number;
  intelligentRatio?: boolean;
  /** Reference images (URLs) for image-to-image; empty for text-to-image. */
  images?: string[];
  /** Reference images as bytes, in order (Gemini sends them inline). */
  inlineImages?: { mime: string; data: Buffer }[];
  /**
   * Generation settings the caller chose (contract 004's `options`, already validated against the
   * SDK's GenerationConfig by that use case); providers ignore what they lack.
   */
  sampling?: Readonly<Record<string, unknown>>;
}

export interface GeneratedAssetRef {
  /** A URL the provider serves the file from (signed, expiring: copy it in at once). */
  url?: string;
  /** Or the bytes themselves (base64 answers). */
  data?: Buffer;
  mime?: string;
}

/**
 * Why a provider call failed, in Dreamloom's terms (see PROVIDERS.md's tables). The pool decides
 * what happens to the account; the engine decides whether the item is retried elsewhere.
 */
export type ProviderFailureKind =
  | 'invalid_request' // our parameters: fail the item, the account is fine
  | 'content_blocked' // moderation: fail the item, the account is fine
  | 'bad_input_file' // a reference file was unusable: fail the item
  | 'session_expired' // the credential is dead: account invalid, retry elsewhere
  | 'out_of_credits' // no points left: this generation type off until quota reset, retry elsewhere
  | 'rate_limited' // anti-bot or 429: cool the account down, retry elsewhere
  | 'timeout' // took too long: retry elsewhere, bounded
  | 'upstream_error'; // system error: retry elsewhere, bounded

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly upstreamCode?: string | number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** Whether another account might succeed where this one failed. */
  get retryElsewhere(): boolean {
    return !['invalid_request', 'content_blocked', 'bad_input_file'].includes(this.kind);
  }
}

export interface ImageProvider {
  generateImages(
    credential: string,
    request: ImageGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]>;
}

/** One video request, provider-neutral. `frames`: first frame, or first and last. */
export interface VideoGenerationRequest {
  model: string;
  prompt: string;
  ratio?: string;
  resolution: string;
  duration: number;
  frames?: string[];
}

export interface VideoProvider {
  generateVideos(
    credential: string,
    request: VideoGenerationRequest,
    signal?: AbortSignal,
  ): Promise<GeneratedAssetRef[]>;
}

export function isVideoProvider(provider: unknown): provider is VideoProvider {
  return typeof (provider as VideoProvider | undefined)?.generateVideos === 'function';
}
