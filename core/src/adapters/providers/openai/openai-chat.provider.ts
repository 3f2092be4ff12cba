import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { createStreamAgents, isRetryableStatus, streamChatCompletion } from './chat-completion-stream.js';
import {
  ChatProviderError,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
} from '../../../ports/chat-provider.port.js';

export interface OpenAiChatProviderOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout in ms (default 120 000). */
  timeoutMs?: number;
}

/**
 * Any OpenAI-compatible endpoint. Non-streaming calls go through the official `openai` SDK;
 * streams, which sit on the story chat's time to first token, go through a lean SSE client on
 * keep-alive agents (see chat-completion-stream.ts for why). SDK retries are off: failover to
 * another model of the same type is the engine's job.
 */
export class OpenAiChatProvider implements ChatProvider {
  private readonly clients = new Map<string, OpenAI>();
  private readonly agents = createStreamAgents();

  constructor(private readonly options: OpenAiChatProviderOptions) {}

  private client(request: ChatRequest): OpenAI {
    const baseURL = request.baseUrl || this.options.baseUrl;
    const apiKey = request.apiKey || this.options.apiKey;
    const key = `${baseURL}\u0000${apiKey}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: this.options.timeoutMs ?? 120_000 });
      this.clients.set(key, client);
    }
    return client;
  }

  private params(request: ChatRequest): Omit<ChatCompletionCreateParams, 'stream'> {
    return {
      model: request.model,
      messages: request.messages as ChatCompletionCreateParams['messages'],
      ...(request.temperature != null ? { temperature: request.temperature } : {}),
      ...(request.maxTokens != null ? { max_tokens: request.maxTokens } : {}),
      ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
    };
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    try {
      const answer = await this.client(request).chat.completions.create(
        { ...this.params(request), stream: false },
        { signal: request.signal },
      );
      const choice = answer.choices[0];
      return {
        content: choice?.message?.content ?? '',
        finishReason: choice?.finish_reason ?? 'stop',
        usage: {
          prompt_tokens: answer.usage?.prompt_tokens ?? 0,
          completion_tokens: answer.usage?.completion_tokens ?? 0,
          total_tokens: answer.usage?.total_tokens ?? 0,
        },
      };
    } catch (error) {
      throw toProviderError(error);
    }
  }

  stream(request: ChatRequest): AsyncIterable<string> {
    return streamChatCompletion({
      baseUrl: request.baseUrl || this.options.baseUrl,
      apiKey: request.apiKey || this.options.apiKey,
      body: this.params(request),
      agents: this.agents,
      timeoutMs: this.options.timeoutMs ?? 120_000,
      signal: request.signal,
    });
  }
}

function toProviderError(error: unknown): Error {
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIError) {
    const status = error.status ?? null;
    // 400/404 are the request's fault for that model; auth, quota, rate limits and 5xx may pass elsewhere.
    return new ChatProviderError(error.message, status, isRetryableStatus(status), { cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  return new ChatProviderError((error as Error)?.message ?? 'LLM call failed', null, true, { cause: error });
}
