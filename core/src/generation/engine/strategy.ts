/**
 * The three shapes a provider takes on the generation engine. The engine owns a task's life (claim,
 * guards, processing state, progress events, storing outputs, settle, cancel, hand-back, finished
 * hooks); a strategy only says how its provider makes outputs. A new provider is one strategy here
 * plus one client in `adapters/providers/`.
 *
 * - {@link SyncStrategy}: the provider answers in the call (Jimeng, Gemini). One `generation` job
 *   runs the task from start to end.
 * - {@link FanOutStrategy}: one output per sub-job (`generation-item`), a bounded number in flight
 *   per task; the last position to end settles the task (contract 004).
 * - {@link AsyncStrategy}: the job submits the task upstream and returns; the provider's callback or
 *   delayed `provider-poll` checks end it (kie.ai). No worker slot is held while it works.
 */

import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { GeneratedAssetRef } from '../../ports/image-provider.port.js';
import type { GenerationTaskRecord, TaskChanges } from './repositories.js';

/** Thrown by a strategy to fail its task with a code of its own (not a provider's failure class). */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface StrategyBase {
  /** Short name for logs. */
  readonly name: string;
  /** Whether this strategy runs the task; must be cheap and side-effect free. */
  handles(task: GenerationTaskRecord): boolean;
}

/** What a synchronous strategy stored: the count, and the rows when this run stored every one. */
export interface StoredOutputs {
  count: number;
  assets: MediaAssetRecord[] | null;
}

/** One run of a synchronous task, as the engine hands it to its strategy. */
export interface SyncRun {
  readonly task: GenerationTaskRecord;
  readonly signal: AbortSignal;
  /** Publishes progress; the row's `progress` is written with the next change, not for each step. */
  progress(progress: number, message: string): Promise<void>;
  /** Group-committed write (+ `updated_at`) for the steps every task of a burst takes at once. */
  update(values: TaskChanges): Promise<void>;
  /** One direct write of exactly these values. */
  write(values: TaskChanges): Promise<void>;
  /** Outputs the task stored already (a crashed earlier run's are kept). */
  countOutputs(): Promise<number>;
  /** Stores one output at `position` (known to be new: the caller counted). */
  store(ref: GeneratedAssetRef, position: number, kind: 'image' | 'video'): Promise<MediaAssetRecord>;
}

export interface SyncStrategy extends StrategyBase {
  readonly shape: 'sync';
  /** Progress announced as the task starts (before its exclusive key and first call), if any. */
  readonly startProgress?: { progress: number; message: string };
  /**
   * Calls the provider until the task has its outputs, storing them through `run`. Throwing a
   * TaskFailure or a ProviderError fails the task; an abort ends it as cancelled (or hands it back).
   * Returns what it stored when it knows (saves reading the outputs back).
   */
  generate(run: SyncRun): Promise<StoredOutputs | null>;
}

export interface FanOutStrategy extends StrategyBase {
  readonly shape: 'fan-out';
  /** Sub-jobs one task may have in flight. */
  concurrency(task: GenerationTaskRecord): number;
  /** One output for one position, retrying inside; throwing fails the position. */
  generateOne(task: GenerationTaskRecord, signal: AbortSignal): Promise<GeneratedAssetRef>;
  /** The failed position's text the caller sees: the failure class, never a provider's own text. */
  failureText(error: unknown): string;
  /** After a position failed: whether the positions not started yet would fail the same way. */
  failsTheRest(taskId: string, error: unknown): Promise<boolean>;
  /** The task ended (settled, or nothing of it could be submitted): drop what it held. */
  release(taskId: string): Promise<void>;
}

/** How an upstream task ended. */
export type UpstreamResult =
  { outcome: 'success'; urls: string[] } | { outcome: 'fail'; code: string; message: string };

/** What the provider says of an upstream task: its state's name, and the result once it ended. */
export interface UpstreamStatus {
  state: string;
  result: UpstreamResult | null;
}

/** A provider callback as read by its strategy. */
export interface UpstreamCallback {
  upstreamId: string | null;
  /** The callback's own word (its signature checked), or null: only a hint, ask the provider. */
  status: UpstreamStatus | null;
}

export interface AsyncStrategy extends StrategyBase {
  readonly shape: 'async';
  /** `provider_jobs.provider`, and the webhook's `?provider=`. */
  readonly provider: string;
  /** Status checks stop and the task fails (PROVIDER_TIMEOUT) after this long. */
  readonly pollTimeoutMs: number;
  /** Delay before the n-th status check (0-based). */
  pollDelay(polls: number): number;
  /** Creates the upstream task (retrying transient refusals inside); returns its id. */
  submit(task: GenerationTaskRecord, signal: AbortSignal): Promise<string>;
  /** Asks the provider about an upstream task (throws ProviderError). */
  check(upstreamId: string, signal?: AbortSignal): Promise<UpstreamStatus>;
  /** Reads (and authenticates, throwing when it fails) a callback's body. */
  readCallback(body: unknown, headers: { signature?: string; timestamp?: string }): UpstreamCallback;
}

export type GenerationStrategy = SyncStrategy | FanOutStrategy | AsyncStrategy;

/** Events and progress the engine's drivers publish through the engine (one way for every shape). */
export interface TaskSettlement {
  /** Ends the task as completed: completion event (outputs read back when not given), finished hooks. */
  complete(task: GenerationTaskRecord, outputs: StoredOutputs | null): Promise<void>;
  /** Ends the task as failed or cancelled: failure event, finished hooks. */
  fail(
    task: GenerationTaskRecord,
    status: 'failed' | 'cancelled',
    code: string,
    message: string,
  ): Promise<void>;
}
