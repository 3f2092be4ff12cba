import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { chatContext, composeReply, messageText, tokenize, type ChatContext } from './chat-reply.service.js';
import {
  bearerToken,
  isAbortError,
  isRecord,
  promptMarker,
  requestSignal,
  sleep,
  unixSeconds,
} from './http-helpers.js';
import { sampleFromSchema } from './json-schema-sample.js';
import {
  incorrectApiKey,
  invalidRequest,
  missingApiKey,
  openAiFaultError,
  openAiMarkerFault,
  quotaExceeded,
  serverError,
  type OpenAiHttpError,
} from './openai-errors.js';
import type { SandboxState } from './sandbox-state.js';
import type { FaultSpec } from './sandbox.types.js';

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'deepseek-chat', 'sandbox-chat'];

/**
 * An OpenAI-compatible chat service (PROVIDERS.md §4), mounted at `/openai`, so the official
 * SDK works with `baseURL: <url>/openai/v1`. Any model id is accepted, as compatible
 * services differ in what they call their models.
 */
export function openAiRouter(state: SandboxState): Router {
  const router = new Router({ prefix: '/openai' });
  router.get('/v1/models', (ctx) => listModels(state, ctx));
  router.post('/v1/chat/completions', (ctx) => chatCompletions(state, ctx));
  return router;
}

function sendError(ctx: Context, error: OpenAiHttpError): void {
  ctx.status = error.status;
  ctx.body = error.body;
}

/** Counts the call and checks the key; returns the key when the call may proceed. */
function authorize(state: SandboxState, ctx: Context, endpoint: string): string | undefined {
  const key = bearerToken(ctx);
  state.counters.record('openai', key, endpoint);
  ctx.set('x-request-id', `req_${randomHex32()}`);
  if (!key) return void sendError(ctx, missingApiKey());
  const status = state.apiKeyStatus('openai', key);
  if (status === 'invalid' || status === 'suspended') return void sendError(ctx, incorrectApiKey(key));
  if (status === 'quota-exhausted') return void sendError(ctx, quotaExceeded());
  return key;
}

function listModels(state: SandboxState, ctx: Context): void {
  const key = authorize(state, ctx, 'models');
  if (!key) return;
  const fault = state.faults.take('openai', key, 'models', false);
  const error = fault ? openAiFaultError(fault, 'models') : undefined;
  if (error) return sendError(ctx, error);
  ctx.body = {
    object: 'list',
    data: MODELS.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'sandbox' })),
  };
}

interface Completion {
  content: string;
  finishReason: 'stop' | 'length' | 'content_filter';
  /** Counted only when usage is reported (most streams never ask for it). */
  promptTokens: () => number;
  /** Break the stream with an error event after this many content chunks. */
  streamErrorAfter?: number;
}

async function chatCompletions(state: SandboxState, ctx: Context): Promise<void> {
  const key = authorize(state, ctx, 'chat/completions');
  if (!key) return;
  const body = isRecord(ctx.request.body) ? ctx.request.body : {};
  const invalid = validate(body);
  if (invalid) return sendError(ctx, invalid);
  const model = body.model as string;
  const messages = body.messages as unknown[];
  const context = chatContext(messages);

  const markerText = messages.map((m) => (isRecord(m) ? messageText(m.content) : '')).join('\n');
  const marker = promptMarker(markerText);
  const markerFault = marker ? openAiMarkerFault(marker) : undefined;
  const fault: FaultSpec | undefined =
    state.faults.take('openai', key, 'chat/completions', true) ??
    (markerFault && { provider: 'openai', ...markerFault });
  const httpError = fault ? openAiFaultError(fault, model) : undefined;
  const signal = requestSignal(ctx, state.shutdownSignal);
  state.counters.enter('openai', key);
  const leave = () => state.counters.leave('openai', key);
  let streaming = false;
  try {
    if (httpError) {
      await sleep(fault?.delayMs ?? 0, signal);
      return sendError(ctx, httpError);
    }
    const completion = complete(body, context, fault);
    const firstTokenMs =
      fault?.kind === 'slow'
        ? (fault.delayMs ?? state.settings.chatFirstTokenMs * 5)
        : state.settings.chatFirstTokenMs;
    if (body.stream === true) {
      streaming = true;
      startStream(state, ctx, model, completion, body, firstTokenMs, signal, leave);
      return;
    }
    await sleep(firstTokenMs, signal);
    if (fault?.kind === 'stream-error') return sendError(ctx, serverError(fault.message));
    ctx.body = {
      id: completionId(),
      object: 'chat.completion',
      created: unixSeconds(),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: completion.content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: completion.finishReason,
        },
      ],
      usage: usage(completion),
      system_fingerprint: 'fp_sandbox',
    };
  } catch (error) {
    if (!isAbortError(error)) throw error;
  } finally {
    if (!streaming) leave();
  }
}

function validate(body: Record<string, unknown>): OpenAiHttpError | undefined {
  if (typeof body.model !== 'string' || !body.model)
    return invalidRequest('you must provide a model parameter', null);
  if (!Array.isArray(body.messages))
    return invalidRequest(
      "Missing required parameter: 'messages'.",
      'messages',
      'missing_required_parameter',
    );
  if (body.messages.length === 0) {
    return invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const format = body.response_format;
  if (format !== undefined) {
    if (!isRecord(format) || !['text', 'json_object', 'json_schema'].includes(String(format.type))) {
      return invalidRequest(
        "Invalid value for 'response_format.type'.",
        'response_format.type',
        'invalid_value',
      );
    }
    if (
      format.type === 'json_schema' &&
      !(isRecord(format.json_schema) && typeof format.json_schema.name === 'string')
    ) {
      return invalidRequest(
        "Missing required parameter: 'response_format.json_schema'.",
        'response_format.json_schema',
        'missing_required_parameter',
      );
    }
  }
  return undefined;
}

/** Builds the full answer, then cuts it where max tokens or a fault says so. */
function complete(
  body: Record<string, unknown>,
  context: ChatContext,
  fault: FaultSpec | undefined,
): Completion {
  const format = isRecord(body.response_format) ? body.response_format : undefined;
  let content: string;
  if (format?.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined;
    content = JSON.stringify(
      sampleFromSchema(schema ?? { type: 'object' }, { ...context, topic: context.lastUser }),
    );
  } else if (format?.type === 'json_object') {
    content = JSON.stringify({ speaker: context.persona, reply: composeReply(context) });
  } else {
    content = composeReply(context);
  }
  const tokens = tokenize(content);
  let counted: number | undefined;
  const promptTokens = () =>
    (counted ??= tokenize(
      (body.messages as unknown[]).map((m) => (isRecord(m) ? messageText(m.content) : '')).join('\n'),
    ).length);
  const limit = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === 'number');
  let finishReason: Completion['finishReason'] = 'stop';
  let kept = tokens.length;
  if (limit !== undefined && limit < kept) [kept, finishReason] = [Math.max(1, limit), 'length'];
  if (fault?.kind === 'length') [kept, finishReason] = [Math.max(1, Math.floor(tokens.length / 2)), 'length'];
  if (fault?.kind === 'content-filter')
    [kept, finishReason] = [Math.max(1, Math.floor(tokens.length / 3)), 'content_filter'];
  const completion: Completion = { content: tokens.slice(0, kept).join(''), finishReason, promptTokens };
  if (fault?.kind === 'stream-error') completion.streamErrorAfter = 2;
  return completion;
}

function usage(completion: Completion) {
  const completionTokens = tokenize(completion.content).length;
  return {
    prompt_tokens: completion.promptTokens(),
    completion_tokens: completionTokens,
    total_tokens: completion.promptTokens() + completionTokens,
  };
}

/**
 * 128 random bits as 32 hex digits. randomUUID draws from a cached entropy pool; randomBytes
 * asked the OS each time, two calls per request, a visible share of the simulator's CPU.
 * (The UUID's 6 fixed version/variant bits leave 122 random ones: plenty for ids.)
 */
function randomHex32(): string {
  return randomUUID().replaceAll('-', '');
}

function completionId(): string {
  return `chatcmpl-${Buffer.from(randomHex32(), 'hex').toString('base64url').slice(0, 20)}`;
}

/** SSE: role chunk + content chunks paced by the settings, final chunk, optional usage, [DONE]. */
function startStream(
  state: SandboxState,
  ctx: Context,
  model: string,
  completion: Completion,
  body: Record<string, unknown>,
  firstTokenMs: number,
  signal: AbortSignal,
  done: () => void,
): void {
  // Written straight to the response: a stream body makes Koa pipe it through stream.pipeline,
  // whose per-response bookkeeping (an AbortController and its DOMException) was, with the
  // PassThrough, a large share of this simulator's CPU per stream. The sandbox shares the
  // machine with the server under test, so its CPU shows up as the server's latency.
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'content-type': 'text/event-stream; charset=utf-8',
  });
  const id = completionId();
  const created = unixSeconds();
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_sandbox',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const send = (data: unknown) =>
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const perChunk = Math.max(1, Math.round(state.settings.chatTokensPerChunk));
  const tokens = tokenize(completion.content);

  void (async () => {
    try {
      await sleep(firstTokenMs, signal);
      send(chunk({ role: 'assistant', content: '', refusal: null }, null));
      for (let i = 0, sent = 0; i < tokens.length; i += perChunk, sent++) {
        if (completion.streamErrorAfter !== undefined && sent === completion.streamErrorAfter) {
          send(serverError().body);
          return;
        }
        if (i > 0) await sleep(state.settings.chatChunkIntervalMs, signal);
        send(chunk({ content: tokens.slice(i, i + perChunk).join('') }, null));
      }
      if (completion.streamErrorAfter !== undefined) {
        send(serverError().body);
        return;
      }
      send(chunk({}, completion.finishReason));
      if (includeUsage) send({ ...chunk({}, null), choices: [], usage: usage(completion) });
      send('[DONE]');
    } catch (error) {
      if (!isAbortError(error)) send(serverError().body);
    } finally {
      res.end();
      done();
    }
  })();
}
