/** One message of an OpenAI-style chat; content may be multimodal parts (i2t). */
export interface ChatMessageParam {
  role: 'system' | 'user' | 'assistant';
  content: string | Array<Record<string, unknown>>;
  name?: string;
}

export interface ChatRequest {
  /** Upstream model name. */
  model: string;
  messages: ChatMessageParam[];
  temperature?: number | null;
  maxTokens?: number | null;
  /** Structured output (PROVIDERS.md §4). */
  responseFormat?:
    | { type: 'json_object' }
    | {
        type: 'json_schema';
        json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean };
      };
  /** Per-model endpoint; the configured LLM_BASE_URL / LLM_API_KEY otherwise. */
  baseUrl?: string | null;
  apiKey?: string | null;
  signal?: AbortSignal;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatResult {
  content: string;
  finishReason: string;
  usage: ChatUsage;
}

/** An OpenAI-compatible chat provider (the official SDK with `baseURL` in production). */
export interface ChatProvider {
  complete(request: ChatRequest): Promise<ChatResult>;
  /** Yields content deltas; the iterator throws when the upstream fails mid-stream. */
  stream(request: ChatRequest): AsyncIterable<string>;
}

/** A provider failure; `retryable` says whether another model may succeed. */
export class ChatProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChatProviderError';
  }
}
