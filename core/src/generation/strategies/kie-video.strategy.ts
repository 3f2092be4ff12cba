import {
  isKieTerminal,
  kiePollDelay,
  parseKieRecord,
  type KieClient,
  type KieTaskRecord,
} from '../../adapters/providers/kie/kie.client.js';
import type { VideoTaskRequest } from '../../anime/anime.types.js';
import { verifyKieSignature } from '../../anime/kie-signature.js';
import type { Clock } from '../../ports/clock.port.js';
import { ProviderError } from '../../ports/image-provider.port.js';
import type { ImageTaskParams } from '../generation.types.js';
import type { GenerationTaskRecord } from '../engine/repositories.js';
import type { AsyncStrategy, UpstreamCallback, UpstreamStatus } from '../engine/strategy.js';

interface Deps {
  client: Pick<KieClient, 'createTask' | 'recordInfo'>;
  clock: Clock;
  apiKey: string;
  /** Where kie POSTs its callback (the unified webhook). */
  callbackUrl: string;
  /** With a key, callbacks are trusted once their signature checks out; without, kie is asked. */
  webhookKey?: string;
  pollInitialMs: number;
  pollMaxMs: number;
  pollTimeoutMs: number;
}

/** Builds kie's `input` for one of contract 001's models (PROVIDERS.md §2 names). */
export function kieVideoInput(prompt: string, request: VideoTaskRequest): Record<string, unknown> {
  const images = request.reference_image_urls;
  const duration = String(request.duration_seconds);
  switch (request.input_style) {
    case 'kling3':
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        mode: request.mode ?? 'std',
        sound: false,
        multi_shots: request.multi_shots,
        // multi_shots uses the first frame only (contract 001 v1.2).
        ...(images.length ? { image_urls: request.multi_shots ? images.slice(0, 1) : images } : {}),
      };
    case 'sora':
      return {
        prompt,
        aspect_ratio: request.aspect_ratio === '9:16' ? 'portrait' : 'landscape',
        n_frames: duration,
        remove_watermark: true,
        ...(request.mode ? { size: request.mode === 'pro' ? 'high' : 'standard' } : {}),
        ...(images.length ? { image_urls: images } : {}),
      };
    case 'wan':
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        resolution: request.resolution ?? '720p',
        ...(images.length ? { image_url: images[0] } : {}),
      };
    default:
      return {
        prompt,
        duration,
        aspect_ratio: request.aspect_ratio,
        ...(images.length ? { image_url: images[0] } : {}),
      };
  }
}

/** kie's record as the engine reads a status: terminal records carry their result. */
function statusOf(record: KieTaskRecord): UpstreamStatus {
  if (!isKieTerminal(record.state)) return { state: record.state, result: null };
  if (record.state === 'success' && record.resultUrls.length)
    return { state: record.state, result: { outcome: 'success', urls: record.resultUrls } };
  return {
    state: record.state,
    result: {
      outcome: 'fail',
      code: 'PROVIDER_GENERATION_FAILED',
      message: record.failMsg ?? (record.state === 'success' ? 'kie returned no result' : 'kie task failed'),
    },
  };
}

/**
 * Asynchronous: contract 001 videos on kie.ai (`provider === 'kie'`). The job creates the upstream
 * task with a callback URL; the engine then waits for the signed callback or its own delayed
 * checks (recordInfo, backoff KIE_POLL_*). kie.ai has no cancel endpoint: a cancel abandons the
 * upstream task (see AsyncRuns.cancel).
 */
export class KieVideoStrategy implements AsyncStrategy {
  readonly shape = 'async' as const;
  readonly name = 'kie-video';
  readonly provider = 'kie';

  constructor(private readonly deps: Deps) {}

  get pollTimeoutMs(): number {
    return this.deps.pollTimeoutMs;
  }

  handles(task: GenerationTaskRecord): boolean {
    return task.provider === 'kie';
  }

  pollDelay(polls: number): number {
    return kiePollDelay(polls, this.deps.pollInitialMs, this.deps.pollMaxMs);
  }

  /** A few quick retries for transient answers (429, maintenance, 5xx); others fail at once. */
  async submit(task: GenerationTaskRecord, signal: AbortSignal): Promise<string> {
    const request = (JSON.parse(task.params) as ImageTaskParams).request as VideoTaskRequest;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.deps.client.createTask(
          this.deps.apiKey,
          {
            model: task.model,
            input: kieVideoInput(task.prompt, request),
            callBackUrl: this.deps.callbackUrl,
          },
          signal,
        );
      } catch (error) {
        const transient =
          error instanceof ProviderError &&
          ['rate_limited', 'upstream_error', 'timeout'].includes(error.kind);
        if (!transient || attempt >= 3 || signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  async check(upstreamId: string, signal?: AbortSignal): Promise<UpstreamStatus> {
    return statusOf(await this.deps.client.recordInfo(this.deps.apiKey, upstreamId, signal));
  }

  /** kie's callback body: `{code, msg, data}` (or the record itself); signed when a key is set. */
  readCallback(body: unknown, headers: { signature?: string; timestamp?: string }): UpstreamCallback {
    const envelope = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const data = (envelope.data && typeof envelope.data === 'object' ? envelope.data : envelope) as Record<
      string,
      unknown
    >;
    const bodyCode = typeof envelope.code === 'number' ? envelope.code : undefined;
    const parsed = parseKieRecord(data, bodyCode);
    if (this.deps.webhookKey) {
      verifyKieSignature(this.deps.webhookKey, parsed.taskId, headers, this.deps.clock.now());
    }
    return {
      upstreamId: parsed.taskId || null,
      status: this.deps.webhookKey ? statusOf(parsed) : null,
    };
  }
}
