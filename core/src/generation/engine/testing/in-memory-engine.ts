/**
 * The generation engine's ports in memory, for fast unit tests of the engine and its strategies:
 * task rows, fan-out items, provider jobs and credentials as plain records, plus a queue, event bus,
 * lease store and media store that remember what they were asked. Nothing here touches a database.
 */

import type { MediaAssetRecord } from '../../../media/media-asset.js';
import type { MediaAssetView } from '../../../media/media.service.js';
import type { DomainEvent, EventBus } from '../../../ports/event-bus.port.js';
import type { GeneratedAssetRef } from '../../../ports/image-provider.port.js';
import type { EnqueueOptions, JobQueue, JobState } from '../../../ports/job-queue.port.js';
import type { LeaseStore } from '../../../ports/lease-store.port.js';
import { createLogger } from '../../../shared/logger.js';
import { GenerationEngine } from '../generation-engine.js';
import {
  ProviderJobExistsError,
  type FanOutItemRecord,
  type FanOutItemRepository,
  type GenerationTaskRecord,
  type GenerationTaskRepository,
  type ProviderJobRecord,
  type ProviderJobRepository,
  type TaskChanges,
  type TaskCredentialRepository,
} from '../repositories.js';
import type { SyncStrategy } from '../strategy.js';

export class InMemoryTasks implements GenerationTaskRepository {
  readonly rows = new Map<string, GenerationTaskRecord>();
  readonly assets: MediaAssetRecord[] = [];

  constructor(private readonly now: () => Date) {}

  add(values: Partial<GenerationTaskRecord> & Pick<GenerationTaskRecord, 'id'>): GenerationTaskRecord {
    const now = this.now();
    const task: GenerationTaskRecord = {
      user_id: 'user-1',
      source: 'test',
      kind: 'image',
      provider: 'test',
      model: 'model-1',
      prompt: 'a lighthouse',
      params: JSON.stringify({ ratio: '1:1', resolution: '1k' }),
      status: 'pending',
      progress: 0,
      requested_count: 1,
      completed_count: 0,
      priority: 2,
      attempts: 0,
      site_switch_count: 0,
      account_id: null,
      batch_id: null,
      credits_used: 0,
      error_code: null,
      error_message: null,
      visibility: 'public',
      started_at: null,
      finished_at: null,
      created_at: now,
      updated_at: now,
      ...values,
    };
    this.rows.set(task.id, task);
    return { ...task };
  }

  /** The stored row (what a fresh read would answer). */
  get(taskId: string): GenerationTaskRecord {
    const row = this.rows.get(taskId);
    if (!row) throw new Error(`no task ${taskId}`);
    return row;
  }

  private apply(taskId: string, values: TaskChanges, record?: GenerationTaskRecord): void {
    const row = this.rows.get(taskId);
    if (row) Object.assign(row, values);
    if (record && record !== row) Object.assign(record, values);
  }

  async find(taskId: string) {
    const row = this.rows.get(taskId);
    return row ? { ...row } : null;
  }

  async findUnfinished(taskIds: string[]) {
    return taskIds
      .map((id) => this.rows.get(id))
      .filter((row): row is GenerationTaskRecord => !!row && ['pending', 'processing'].includes(row.status))
      .map((row) => ({ ...row }));
  }

  async update(
    task: GenerationTaskRecord,
    values: TaskChanges,
    options: { stampStart?: boolean; stampFinish?: boolean } = {},
  ) {
    const now = this.now();
    this.apply(
      task.id,
      {
        ...values,
        updated_at: now,
        ...(options.stampStart ? { started_at: now } : {}),
        ...(options.stampFinish ? { finished_at: now } : {}),
      },
      task,
    );
  }

  async write(task: GenerationTaskRecord, values: TaskChanges) {
    this.apply(task.id, values, task);
  }

  async updateWhileIn(taskId: string, statuses: readonly string[], values: TaskChanges) {
    const row = this.rows.get(taskId);
    if (!row || !statuses.includes(row.status)) return false;
    this.apply(taskId, values);
    return true;
  }

  async updateById(taskId: string, values: TaskChanges) {
    this.apply(taskId, values);
  }

  async incrementCompleted(taskId: string) {
    const row = this.rows.get(taskId);
    if (row) row.completed_count += 1;
  }

  async completedCount(taskId: string) {
    return this.rows.get(taskId)?.completed_count ?? null;
  }

  async exists(taskId: string) {
    return this.rows.has(taskId);
  }

  async countOutputs(taskId: string) {
    return this.assets.filter((asset) => asset.task_id === taskId).length;
  }

  async outputs(taskId: string) {
    return this.assets.filter((asset) => asset.task_id === taskId).sort((a, b) => a.position - b.position);
  }
}

export class InMemoryItems implements FanOutItemRepository {
  readonly rows: FanOutItemRecord[] = [];

  async create(taskId: string, count: number, now: Date) {
    for (let position = 0; position < count; position += 1)
      this.rows.push({
        task_id: taskId,
        position,
        status: 'pending',
        attempts: 0,
        error_message: null,
        updated_at: now,
      });
  }

  private of(taskId: string) {
    return this.rows.filter((row) => row.task_id === taskId).sort((a, b) => a.position - b.position);
  }

  async find(taskId: string, position: number) {
    const row = this.rows.find((each) => each.task_id === taskId && each.position === position);
    return row ? { ...row } : null;
  }

  async list(taskId: string) {
    return this.of(taskId).map((row) => ({ ...row }));
  }

  async pending(taskId: string, limit: number) {
    return this.of(taskId)
      .filter((row) => row.status === 'pending')
      .slice(0, limit)
      .map((row) => ({ ...row }));
  }

  async move(
    taskId: string,
    position: number,
    from: readonly string[] | 'not-done',
    values: Partial<FanOutItemRecord>,
  ) {
    const row = this.rows.find((each) => each.task_id === taskId && each.position === position);
    if (!row) return false;
    if (from === 'not-done' ? row.status === 'done' : !from.includes(row.status)) return false;
    Object.assign(row, values);
    return true;
  }

  async failPending(taskId: string, message: string, now: Date) {
    for (const row of this.of(taskId))
      if (row.status === 'pending')
        Object.assign(row, { status: 'failed', error_message: message, updated_at: now });
  }

  async dropFrom(taskId: string, position: number) {
    for (let index = this.rows.length - 1; index >= 0; index -= 1) {
      const row = this.rows[index]!;
      if (row.task_id === taskId && row.position >= position) this.rows.splice(index, 1);
    }
  }

  async write(item: FanOutItemRecord, values: Partial<FanOutItemRecord>) {
    Object.assign(item, values);
    const row = this.rows.find((each) => each.task_id === item.task_id && each.position === item.position);
    if (row) Object.assign(row, values);
  }
}

export class InMemoryProviderJobs implements ProviderJobRepository {
  readonly rows = new Map<string, ProviderJobRecord>();

  async find(taskId: string) {
    const row = this.rows.get(taskId);
    return row ? { ...row } : null;
  }

  async findByUpstream(provider: string, upstreamId: string) {
    const row = [...this.rows.values()].find(
      (each) => each.provider === provider && each.upstream_id === upstreamId,
    );
    return row ? { ...row } : null;
  }

  async create(job: Parameters<ProviderJobRepository['create']>[0]) {
    if (this.rows.has(job.task_id)) throw new ProviderJobExistsError(new Error('duplicate'));
    this.rows.set(job.task_id, {
      state: 'running',
      polls: 0,
      cancelled_at: null,
      cancel_reason: null,
      ...job,
    });
  }

  async moveFrom(taskId: string, state: string, values: Partial<ProviderJobRecord>, updatedBefore?: Date) {
    const row = this.rows.get(taskId);
    if (!row || row.state !== state) return false;
    if (updatedBefore && !(row.updated_at < updatedBefore)) return false;
    Object.assign(row, values);
    return true;
  }

  async claim(taskId: string, values: Partial<ProviderJobRecord>, staleBefore: Date) {
    const row = this.rows.get(taskId);
    if (!row) return false;
    if (!(row.state === 'running' || (row.state === 'finishing' && row.updated_at < staleBefore)))
      return false;
    Object.assign(row, values);
    return true;
  }

  async write(job: ProviderJobRecord, values: Partial<ProviderJobRecord>) {
    Object.assign(job, values);
    const row = this.rows.get(job.task_id);
    if (row) Object.assign(row, values);
  }
}

export class InMemoryCredentials implements TaskCredentialRepository {
  readonly rows = new Map<string, string>();
  async store(taskId: string, sealed: string) {
    this.rows.set(taskId, sealed);
  }
  async find(taskId: string) {
    return this.rows.get(taskId) ?? null;
  }
  async has(taskId: string) {
    return this.rows.has(taskId);
  }
  async remove(taskId: string) {
    this.rows.delete(taskId);
  }
}

/** A queue that only records: jobs are run by the test calling the engine. */
export class RecordingQueue {
  readonly jobs = new Map<
    string,
    { name: string; payload: unknown; options: EnqueueOptions; state: JobState }
  >();

  private key(name: string, jobId: string) {
    return `${name}/${jobId}`;
  }

  async enqueue<Payload>(name: string, payload: Payload, options: EnqueueOptions) {
    const key = this.key(name, options.jobId);
    if (!this.jobs.has(key)) this.jobs.set(key, { name, payload, options, state: 'waiting' });
  }

  async state(name: string, jobId: string): Promise<JobState> {
    return this.jobs.get(this.key(name, jobId))?.state ?? 'missing';
  }

  async remove(name: string, jobId: string) {
    const job = this.jobs.get(this.key(name, jobId));
    if (!job || job.state === 'active') return false;
    this.jobs.delete(this.key(name, jobId));
    return true;
  }

  /** Marks a job as running (remove then refuses it). */
  activate(name: string, jobId: string) {
    const job = this.jobs.get(this.key(name, jobId));
    if (job) job.state = 'active';
  }

  named(name: string) {
    return [...this.jobs.values()].filter((job) => job.name === name);
  }

  asPort(): JobQueue {
    return this as unknown as JobQueue;
  }
}

export class RecordingEvents implements EventBus {
  readonly published: DomainEvent[] = [];
  async publish(event: DomainEvent) {
    this.published.push(event);
  }
  async subscribe() {
    return async () => undefined;
  }
  async close() {}
  named(name: string, taskId?: string) {
    return this.published.filter(
      (event) => event.name === name && (!taskId || event.room === `task:${taskId}`),
    );
  }
}

export class InMemoryLeases implements LeaseStore {
  private readonly held = new Map<string, Set<string>>();
  async acquire(accountId: string, leaseId: string, limit: number) {
    const set = this.held.get(accountId) ?? new Set<string>();
    if (set.size >= limit && !set.has(leaseId)) return false;
    set.add(leaseId);
    this.held.set(accountId, set);
    return true;
  }
  async acquireAny() {
    return null;
  }
  async renew() {}
  async release(accountId: string, leaseId: string) {
    this.held.get(accountId)?.delete(leaseId);
  }
  async inFlight(accountIds: string[]) {
    return new Map(accountIds.map((id) => [id, this.held.get(id)?.size ?? 0]));
  }
}

/** Stores outputs as asset records (the ref's url or a counter as the key). */
export class InMemoryMedia {
  private stored = 0;
  /** Refs whose url is listed here fail to download. */
  readonly broken = new Set<string>();

  constructor(private readonly tasks: InMemoryTasks) {}

  async ingestTaskOutput(input: {
    taskId: string;
    userId: string;
    position: number;
    kind: 'image' | 'video';
    ref: GeneratedAssetRef;
  }): Promise<MediaAssetRecord> {
    if (input.ref.url && this.broken.has(input.ref.url)) throw new Error(`download failed: ${input.ref.url}`);
    this.stored += 1;
    const asset = {
      id: `asset-${this.stored}`,
      task_id: input.taskId,
      user_id: input.userId,
      position: input.position,
      kind: input.kind,
      storage_key: `tasks/${input.taskId}/${input.position}`,
      thumbnail_key: null,
      mime: input.kind === 'video' ? 'video/mp4' : 'image/png',
      width: 1,
      height: 1,
      size_bytes: 1,
      original_name: null,
      created_at: new Date(0),
    } as unknown as MediaAssetRecord;
    this.tasks.assets.push(asset);
    return asset;
  }

  view(asset: MediaAssetRecord): MediaAssetView {
    return {
      id: asset.id,
      url: `/media/${asset.storage_key}`,
      thumbnailUrl: null,
      mime: asset.mime,
      width: asset.width,
      height: asset.height,
      sizeBytes: asset.size_bytes,
      position: asset.position,
    };
  }
}

/** An engine on in-memory ports, with everything a test may want to look at. */
export function inMemoryEngine(fallback: SyncStrategy) {
  let clock = new Date('2026-01-01T00:00:00Z');
  const now = () => clock;
  const tasks = new InMemoryTasks(now);
  const items = new InMemoryItems();
  const providerJobs = new InMemoryProviderJobs();
  const queue = new RecordingQueue();
  const events = new RecordingEvents();
  const media = new InMemoryMedia(tasks);
  const engine = new GenerationEngine({
    tasks,
    items,
    providerJobs,
    media,
    queue: queue.asPort(),
    events,
    leases: new InMemoryLeases(),
    clock: { now },
    logger: createLogger({ level: 'silent' }),
    exclusiveTtlMs: 30_000,
    fallback,
  });
  return {
    engine,
    tasks,
    items,
    providerJobs,
    queue,
    events,
    media,
    clock: { now },
    advance(ms: number) {
      clock = new Date(clock.getTime() + ms);
    },
  };
}
