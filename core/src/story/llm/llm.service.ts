import { AppError } from '../../errors.js';
import type { AiModelRecord, AiModelRepository } from './ai-model.repository.js';
import {
  ChatProviderError,
  type ChatMessageParam,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
} from '../../ports/chat-provider.port.js';
import type { Clock } from '../../ports/clock.port.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { Logger } from '../../shared/logger.js';

export const MODEL_TYPES = ['chat', 'other', 't2i', 'i2t'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export class InvalidModelError extends AppError {
  constructor(modelId: string) {
    super('invalid_model', `The model '${modelId}' does not exist or is not available.`, { status: 400 });
  }
}

export class LlmUpstreamError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('upstream_error', message, { status: 502, expose: true, cause });
  }
}

export interface AiModelView {
  id: string;
  llm_id: string;
  name: string;
  type: string;
  provider_model: string;
  base_url: string | null;
  has_api_key: boolean;
  temperature: number | null;
  max_tokens: number | null;
  is_active: boolean;
  usage_count: number;
  last_used_at: string | null;
  created_at: string;
}

export function aiModelView(row: AiModelRecord): AiModelView {
  return {
    id: row.id,
    llm_id: row.llm_id,
    name: row.name,
    type: row.type,
    provider_model: row.provider_model,
    base_url: row.base_url,
    has_api_key: !!row.api_key_enc,
    temperature: row.temperature,
    max_tokens: row.max_tokens,
    is_active: !!row.is_active,
    usage_count: row.usage_count,
    last_used_at: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

interface Deps {
  /** The model catalog (the AiModelRepository port). */
  models: AiModelRepository;
  provider: ChatProvider;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  /** How many models one call may try (default 3). */
  maxAttempts?: number;
  /** How often coalesced usage counts are written (default 1000 ms). */
  usageFlushMs?: number;
}

export interface CallOptions {
  responseFormat?: ChatRequest['responseFormat'];
  signal?: AbortSignal;
  maxTokens?: number;
}

/**
 * The AI model catalog (contract 002's `llm_id`s) and calls through it: parameters come from
 * the database, never from the request; a failing model fails over to another active model
 * of the same type, least recently used first.
 */
export class LlmService {
  private readonly pendingUses = new Map<string, { count: number; at: Date }>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: Deps) {}

  list(filter: { type?: string; llmId?: string; includeInactive?: boolean }): Promise<AiModelRecord[]> {
    return this.deps.models.list(filter);
  }

  /** The active model with this `llm_id`, of one of `types` when given; else 400 `invalid_model`. */
  async findActive(llmId: string, types?: readonly string[]): Promise<AiModelRecord> {
    const row = await this.deps.models.active(llmId);
    if (!row || (types && !types.includes(row.type))) throw new InvalidModelError(llmId);
    return row;
  }

  /**
   * Claims the least recently used active model of a type. Atomic across processes: the claim is
   * a compare-and-set on `usage_count`, so two callers at once get different models when two
   * are idle (the loser re-reads and takes the next one).
   */
  async leastUsed(type: string, exclude: string[] = []): Promise<AiModelRecord> {
    const { models } = this.deps;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const candidates = await models.leastRecentlyUsed(type, exclude, 5);
      if (!candidates.length) throw new AppError('no_model', `No active ${type} model`, { status: 404 });
      for (const candidate of candidates) {
        if (await models.claimUse(candidate, this.deps.clock.now()))
          return (await models.byId(candidate.id))!;
      }
    }
    throw new AppError('busy', 'Could not claim a model, try again', { status: 503 });
  }

  /**
   * Records one use (usage count and last used). Uses are coalesced and written at most once a
   * second per model, so a busy chat does not put a database write before every first token.
   */
  private markUsed(row: AiModelRecord): void {
    const pending = this.pendingUses.get(row.id);
    this.pendingUses.set(row.id, { count: (pending?.count ?? 0) + 1, at: this.deps.clock.now() });
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flushUses(), this.deps.usageFlushMs ?? 1000);
      this.flushTimer.unref?.();
    }
  }

  /** Writes the coalesced uses now (also called at shutdown and by tests). */
  async flushUses(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const uses = [...this.pendingUses];
    this.pendingUses.clear();
    for (const [id, use] of uses) {
      try {
        await this.deps.models.addUses(id, use.count, use.at);
      } catch (error) {
        this.deps.logger.warn({ err: (error as Error).message }, 'could not record model usage');
      }
    }
  }

  private request(row: AiModelRecord, messages: ChatMessageParam[], options: CallOptions): ChatRequest {
    return {
      model: row.provider_model,
      messages,
      temperature: row.temperature,
      maxTokens: options.maxTokens ?? row.max_tokens,
      responseFormat: options.responseFormat,
      baseUrl: row.base_url,
      apiKey: row.api_key_enc ? this.deps.secrets.open(row.api_key_enc) : null,
      signal: options.signal,
    };
  }

  private async fallback(row: AiModelRecord, tried: string[]): Promise<AiModelRecord | null> {
    try {
      return await this.leastUsed(row.type, tried);
    } catch {
      return null;
    }
  }

  private shouldFailOver(error: unknown, options: CallOptions): boolean {
    if (options.signal?.aborted) return false;
    return error instanceof ChatProviderError && error.retryable;
  }

  /** A non-streaming call with failover; returns the model that answered. */
  async complete(
    model: AiModelRecord,
    messages: ChatMessageParam[],
    options: CallOptions = {},
  ): Promise<{ result: ChatResult; model: AiModelRecord }> {
    const tried: string[] = [];
    let current: AiModelRecord | null = model;
    let lastError: unknown;
    while (current && tried.length < (this.deps.maxAttempts ?? 3)) {
      tried.push(current.id);
      try {
        if (tried.length === 1) this.markUsed(current);
        const result = await this.deps.provider.complete(this.request(current, messages, options));
        return { result, model: current };
      } catch (error) {
        lastError = error;
        if (!this.shouldFailOver(error, options)) break;
        this.deps.logger.warn(
          { model: current.llm_id, err: (error as Error).message },
          'LLM failed, failing over',
        );
        current = await this.fallback(current, tried);
      }
    }
    throw this.wrap(lastError);
  }

  /**
   * A streaming call with failover before the first delta (after that, a switch would repeat
   * text). `onModel` learns which model is answering.
   */
  async *stream(
    model: AiModelRecord,
    messages: ChatMessageParam[],
    options: CallOptions & { onModel?: (row: AiModelRecord) => void } = {},
  ): AsyncGenerator<string> {
    const tried: string[] = [];
    let current: AiModelRecord | null = model;
    let lastError: unknown;
    while (current && tried.length < (this.deps.maxAttempts ?? 3)) {
      tried.push(current.id);
      let yielded = false;
      try {
        if (tried.length === 1) this.markUsed(current);
        options.onModel?.(current);
        for await (const delta of this.deps.provider.stream(this.request(current, messages, options))) {
          yielded = true;
          yield delta;
        }
        return;
      } catch (error) {
        lastError = error;
        if (yielded || !this.shouldFailOver(error, options)) break;
        this.deps.logger.warn(
          { model: current.llm_id, err: (error as Error).message },
          'LLM failed, failing over',
        );
        current = await this.fallback(current, tried);
      }
    }
    throw this.wrap(lastError);
  }

  private wrap(error: unknown): Error {
    if (error instanceof AppError) return error;
    if (error instanceof ChatProviderError)
      return new LlmUpstreamError(`Upstream model failed: ${error.message}`, error);
    return error instanceof Error ? error : new LlmUpstreamError('Upstream model failed', error);
  }
}
