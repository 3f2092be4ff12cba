import type { AccountPoolService } from '../../accounts/account-pool.service.js';
import { sniffMime } from '../../media/media.service.js';
import type { BlobStorage } from '../../ports/blob-storage.port.js';
import type { Clock } from '../../ports/clock.port.js';
import {
  ProviderError,
  type GeneratedAssetRef,
  type ImageGenerationRequest,
  type ImageProvider,
} from '../../ports/image-provider.port.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { FanOutTaskParams } from '../fan-out.types.js';
import { ownKeyFailureMessage } from '../generation-failures.js';
import type { ImageTaskParams } from '../generation.types.js';
import type { GenerationTaskRecord, TaskCredentialRepository } from '../engine/repositories.js';
import type { TransactionHandle } from '../../shared/unit-of-work.js';
import type { FanOutStrategy } from '../engine/strategy.js';

interface Deps {
  /** Image providers by the task's `provider` column (gemini). */
  providers: Record<string, ImageProvider>;
  credentials: TaskCredentialRepository;
  storage: BlobStorage;
  secrets: SecretBox;
  pool: AccountPoolService;
  clock: Clock;
  /** Provider calls one position may make (transient failures only) before it fails. */
  maxAttempts: number;
  /** Wait before retrying a transient failure, multiplied by the attempt number. Default 500 ms. */
  retryDelayMs?: number;
}

type TaskParams = ImageTaskParams & FanOutTaskParams;

/** Failure classes a caller's own key cannot outlive: every other position would fail the same way. */
const KEY_IS_DEAD = ['session_expired', 'out_of_credits'];
/** Failure classes worth another call with the same credential. */
const TRANSIENT = ['rate_limited', 'timeout', 'upstream_error'];

/**
 * Fan-out: contract 004's tasks (`params.fanOut`), one Gemini call per output position. A
 * caller-supplied credential (sealed in generation_task_credentials) replaces the pool lease and is
 * deleted the moment the task ends.
 */
export class NanobananaFanOutStrategy implements FanOutStrategy {
  readonly shape = 'fan-out' as const;
  readonly name = 'nanobanana-fan-out';

  constructor(private readonly deps: Deps) {}

  handles(task: Pick<GenerationTaskRecord, 'params'>): boolean {
    try {
      return !!(JSON.parse(task.params) as TaskParams).fanOut;
    } catch {
      return false;
    }
  }

  concurrency(task: GenerationTaskRecord): number {
    return (JSON.parse(task.params) as TaskParams).fanOut?.concurrency ?? 1;
  }

  /** Seals a caller-supplied credential for a task; it never leaves the database in the clear. */
  async storeCredential(taskId: string, credential: string, transaction?: TransactionHandle): Promise<void> {
    await this.deps.credentials.store(
      taskId,
      this.deps.secrets.seal(credential),
      this.deps.clock.now(),
      transaction,
    );
  }

  release(taskId: string): Promise<void> {
    return this.deps.credentials.remove(taskId);
  }

  failureText(error: unknown): string {
    return error instanceof ProviderError ? ownKeyFailureMessage(error) : 'internal error: generation failed';
  }

  async failsTheRest(taskId: string, error: unknown): Promise<boolean> {
    return (
      error instanceof ProviderError &&
      KEY_IS_DEAD.includes(error.kind) &&
      (await this.deps.credentials.has(taskId))
    );
  }

  /** Calls the provider, retrying transient failures with the same credential. */
  async generateOne(task: GenerationTaskRecord, signal: AbortSignal): Promise<GeneratedAssetRef> {
    const provider = this.deps.providers[task.provider];
    if (!provider) throw new ProviderError('invalid_request', `No provider ${task.provider} is configured`);
    const params = JSON.parse(task.params) as TaskParams;
    const inlineImages = [];
    for (const key of params.referenceKeys ?? []) {
      const data = await this.deps.storage.get(key);
      inlineImages.push({ data, mime: sniffMime(data) ?? 'image/png' });
    }
    const request: ImageGenerationRequest = {
      model: task.model,
      prompt: task.prompt,
      ratio: params.ratio,
      resolution: params.resolution,
      inlineImages,
      sampling: params.sampling,
    };
    const sealed = await this.deps.credentials.find(task.id);
    for (let attempt = 1; ; attempt += 1) {
      const lease = sealed ? null : await this.deps.pool.lease(task.provider, 'image');
      if (!sealed && !lease)
        throw new ProviderError('rate_limited', `No ${task.provider} account is available right now`);
      const credential = sealed ? this.deps.secrets.open(sealed) : lease!.secret;
      try {
        const refs = await provider.generateImages(credential, request, signal);
        if (lease) await this.deps.pool.reportSuccess(lease.accountId, 'image');
        return refs[0]!;
      } catch (error) {
        if (!(error instanceof ProviderError) || signal.aborted) throw error;
        if (lease) await this.deps.pool.reportFailure(lease.accountId, 'image', error);
        // A caller's own key cannot be swapped for another: only transient failures are retried.
        const transient = TRANSIENT.includes(error.kind);
        if (!transient && !(lease && error.retryElsewhere)) throw error;
        if (attempt >= this.deps.maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, (this.deps.retryDelayMs ?? 500) * attempt));
      } finally {
        await lease?.release();
      }
    }
  }
}
