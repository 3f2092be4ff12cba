import type { MediaAssetRecord } from '../../media/media-asset.js';
import type {
  AccountPoolService,
  GenerationKind,
  RateLimitHandling,
} from '../../accounts/account-pool.service.js';

import {
  ProviderError,
  isVideoProvider,
  type GeneratedAssetRef,
  type ImageProvider,
  type VideoProvider,
} from '../../ports/image-provider.port.js';
import type { Clock } from '../../ports/clock.port.js';
import { isHandedBack } from '../../ports/job-hand-back.js';
import type { ImageTaskParams } from '../generation.types.js';
import type { GenerationTaskRecord } from '../engine/repositories.js';
import { TaskFailure, type StoredOutputs, type SyncRun, type SyncStrategy } from '../engine/strategy.js';

interface Deps {
  pool: AccountPoolService;
  clock: Clock;
  /** Pooled providers by the task's `provider` column (jimeng). */
  providers: Record<string, ImageProvider>;
  /** How many provider calls (across accounts) one task may make before it fails. */
  maxAttempts: number;
  /** How long a task waits for a busy pool before giving up. */
  leaseWaitMs: number;
  leasePollMs?: number;
  /** Default rate_limit_handling when a task does not say. */
  rateLimitHandling: RateLimitHandling;
}

/** How long a task that freed its slot lets other tasks' hand-overs go first (see generate). */
const STORE_YIELD_MS = 20;

/**
 * Synchronous: Jimeng images and videos on leased pool accounts (contract 003, 000 on Jimeng
 * models, 002 avatars and backgrounds) — the engine's fallback, for every task no other strategy
 * claims. Each call takes a slot on an account from the pool, a failed call marks the account
 * and moves on to another (up to GENERATION_MAX_ATTEMPTS calls), outputs are stored as they come.
 */
export class JimengStrategy implements SyncStrategy {
  readonly shape = 'sync' as const;
  readonly name = 'jimeng';
  readonly startProgress = { progress: 5, message: 'Starting' };

  constructor(private readonly deps: Deps) {}

  handles(): boolean {
    return true;
  }

  /** Runs provider calls until the task has its outputs; returns them when this run stored all of them. */
  async generate(run: SyncRun): Promise<StoredOutputs | null> {
    const { task, signal } = run;
    const params = JSON.parse(task.params) as ImageTaskParams;
    const kind = task.kind === 'video' ? 'video' : 'image';
    const provider = this.deps.providers[task.provider];
    if (!provider)
      throw new TaskFailure('PROVIDER_NOT_CONFIGURED', `No provider ${task.provider} is configured`);
    if (kind === 'video' && !isVideoProvider(provider)) {
      throw new TaskFailure('PROVIDER_NOT_CONFIGURED', `Provider ${task.provider} cannot make videos`);
    }
    const call = (credential: string) =>
      kind === 'video'
        ? (provider as unknown as VideoProvider).generateVideos(
            credential,
            {
              model: task.model,
              prompt: task.prompt,
              ratio: params.ratio,
              resolution: params.resolution,
              duration: params.duration ?? 5,
              frames: params.frames,
            },
            signal,
          )
        : provider.generateImages(
            credential,
            {
              model: task.model,
              prompt: task.prompt,
              ratio: params.ratio,
              resolution: params.resolution,
              negativePrompt: params.negativePrompt,
              sampleStrength: params.sampleStrength,
              intelligentRatio: params.intelligentRatio,
              images: params.referenceImages,
            },
            signal,
          );
    // Outputs are stored only after a provider call, and every call writes `attempts` first: a task
    // that never made a call has nothing stored, and skips the count.
    let stored = task.attempts === 0 ? 0 : await run.countOutputs();
    const assets: MediaAssetRecord[] | null = stored === 0 ? [] : null;
    const tried: string[] = [];
    // keepAllOutputs: one successful call is the whole result, however many files it returned.
    const done = () => (params.keepAllOutputs ? stored > 0 : stored >= task.requested_count);
    while (!done()) {
      if (task.attempts >= this.deps.maxAttempts) {
        throw new TaskFailure(
          'GENERATION_FAILED',
          `Gave up after ${task.attempts} attempts: ${task.error_message ?? ''}`.trim(),
        );
      }
      const lease = await this.waitForLease(run, kind, params, tried);
      // The slot is the scarce resource: bookkeeping runs beside the provider call, not before it.
      const bookkeeping = run.update({
        attempts: task.attempts + 1,
        account_id: lease.accountId,
        site_switch_count: task.site_switch_count + (tried.length > 0 ? 1 : 0),
      });
      void run.progress(20, 'Generating').catch(() => undefined);
      let refs: GeneratedAssetRef[];
      try {
        refs = await call(lease.secret);
      } catch (error) {
        await bookkeeping;
        if (isHandedBack(signal)) {
          // Aborted by this worker's shutdown, not by the provider: the call does not count
          // against the task's attempts, which the next worker's call will spend instead.
          await lease.release();
          await run.update({ attempts: task.attempts - 1 });
          throw error;
        }
        if (!(error instanceof ProviderError) || signal.aborted) {
          await lease.release();
          throw error;
        }
        // Mark the account before freeing its slot, so no waiting task takes a slot on an account just found dead.
        await this.deps.pool.reportFailure(lease.accountId, kind, error);
        await lease.release();
        await run.write({ error_message: `${error.kind}: ${error.message}`.slice(0, 1024) });
        if (!error.retryElsewhere) throw error;
        tried.push(lease.accountId);
        continue;
      }
      // A good call: the slot may go straight to the next waiting task.
      await lease.release({ handOver: true });
      await bookkeeping;
      // Slots run in step, so other tasks' calls are ending around now too: let their slots change
      // hands first, before this task's storing work takes its turns on the event loop. With no
      // task waiting for a slot (a batch's last wave) there is nothing to let go first.
      if (this.deps.pool.hasWaiters(task.provider, kind))
        await new Promise((resolve) => setTimeout(resolve, STORE_YIELD_MS));
      // Counted while the outputs are stored, not before: neither waits on the other.
      const counted = this.deps.pool.reportSuccess(lease.accountId, kind, lease.halfOpen);
      counted.catch(() => undefined); // awaited below; this only keeps an early store failure from leaving it unhandled
      const wanted = params.keepAllOutputs ? refs.length : task.requested_count;
      for (const ref of refs) {
        if (stored >= wanted) break;
        const asset = await run.store(ref, stored, kind);
        assets?.push(asset);
        stored += 1;
        const progress = 20 + Math.round((75 * stored) / wanted);
        // The last output's count is written with the end state (one write, not two); a crash in
        // between is healed by the re-run, which counts the stored outputs.
        if (stored < wanted)
          await run.write({ completed_count: stored, progress, updated_at: this.deps.clock.now() });
        await run.progress(progress, `Stored ${stored}/${wanted}`);
      }
      await counted;
    }
    return { count: stored, assets };
  }

  /**
   * Waits while the pool is busy (woken as soon as this process frees a slot) or, with
   * rate_limit_handling `wait`, while accounts are cooling down or awaiting their quota reset.
   * Fails at once when no account could ever take the task, or with `skip` when none is free now.
   */
  private async waitForLease(run: SyncRun, kind: GenerationKind, params: ImageTaskParams, tried: string[]) {
    const { task, signal } = run;
    const { pool, leaseWaitMs } = this.deps;
    const deadline = Date.now() + leaseWaitMs;
    const handling = params.rateLimitHandling ?? this.deps.rateLimitHandling;
    const options = {
      exclude: tried,
      strategy: params.accountStrategy,
      maxConcurrentPerAccount: params.maxConcurrentPerAccount,
    };
    let announced = false;
    for (let first = true; ; first = false) {
      // Tasks already waiting are first in line: a newcomer queues behind them instead of racing
      // them for each freed slot (and reading every account's load while the pool is full).
      const queueBehind = first && handling !== 'skip' && pool.hasWaiters(task.provider, kind);
      const lease = queueBehind ? null : await pool.lease(task.provider, kind, options);
      if (lease) return lease;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const eligible = await pool.countEligible(task.provider, kind, { exclude: tried });
      const recovering =
        handling === 'wait' && eligible === 0
          ? await pool.countRecovering(task.provider, kind, leaseWaitMs)
          : 0;
      if (eligible === 0 && recovering === 0) {
        const detail = tried.length ? ` (tried ${tried.length}; last error: ${lastError(task)})` : '';
        throw new TaskFailure('NO_ACCOUNT_AVAILABLE', `No usable ${task.provider} account${detail}`);
      }
      if (handling === 'skip')
        throw new TaskFailure('NO_ACCOUNT_AVAILABLE', `No ${task.provider} account is free right now`);
      if (Date.now() >= deadline) {
        throw new TaskFailure(
          'NO_ACCOUNT_AVAILABLE',
          `No ${task.provider} account was available within ${leaseWaitMs} ms`,
        );
      }
      if (!announced) {
        announced = true;
        await run.progress(
          10,
          recovering ? 'Waiting for a provider account to recover' : 'Waiting for a free provider account',
        );
      }
      // The pool wakes waiters as slots free up (its own releases at once, often handing the slot
      // over; other nodes' within a poll); the task's own timer only bounds the wait for a
      // wake-up that fits it (exclusions).
      const poll = this.deps.leasePollMs ?? 500;
      const handed = await pool.waitForSlot(
        task.provider,
        kind,
        options,
        Math.min(deadline - Date.now(), poll * 10),
        signal,
      );
      if (handed) return handed;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
    }
  }
}

const lastError = (task: GenerationTaskRecord) => task.error_message ?? 'unknown';
