import { ValidationError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { TransactionHandle } from '../shared/unit-of-work.js';
import type { MediaService, MediaAssetView } from '../media/media.service.js';
import { maySeeTask, mayUseMedia } from '../media/media-access.js';
import type { MediaAssetRecord } from '../media/media-asset.js';
import { TaskNotFoundError } from './generation.errors.js';
import type { GenerationTaskRecord } from './engine/repositories.js';
import type { NewTaskRecord, TaskStore } from './task-store.js';
import { TaskSnapshotCache } from './task-snapshot.cache.js';
import { TASKS_CHANGED, TASKS_ROOM, announceTasksChanged, type TasksChange } from './task-changes.js';
import { MemberPagesCache } from './member-pages.cache.js';
import type { Logger } from '../shared/logger.js';
import {
  GENERATION_JOB,
  TaskEvents,
  taskRoom,
  type GenerationJobPayload,
  type ImageTaskParams,
  type TaskProgressEvent,
  type TaskStatus,
} from './generation.types.js';

interface Deps {
  /** Task rows (the Sequelize adapter generation-task.repository.ts). */
  tasks: TaskStore;
  queue: JobQueue;
  events: EventBus;
  media: MediaService;
  ids: IdGenerator;
  clock: Clock;
  defaultImageModel: string;
  logger?: Logger;
}

export interface CreateImageTaskInput {
  source: string;
  prompt: string;
  model?: string;
  count: number;
  params: ImageTaskParams;
  visibility?: 'public' | 'private';
  priority?: number;
}

/** One task to create through `createTasks` (batches create hundreds at once). */
export interface NewTaskSpec {
  id?: string;
  userId: string;
  source: string;
  kind: 'image' | 'video';
  provider: string;
  model: string;
  prompt: string;
  params: ImageTaskParams;
  count: number;
  /** BullMQ priority: 1 urgent, 2 high, 3 normal, 4 low. */
  priority: number;
  batchId?: string | null;
}

/** Jobs per queue round trip when a batch is queued. */
const ENQUEUE_CHUNK = 100;

/** A generation id's beginning as members type it: at least 6 of its characters (uuids are lowercase). */
const SHORT_ID_PREFIX = /^[0-9a-f-]{6,36}$/;

/** Interactive member generations run ahead of normal batches, behind urgent and high ones. */
export const DEFAULT_TASK_PRIORITY = 2;

export interface TaskView {
  id: string;
  status: TaskStatus;
  progress: number;
  kind: string;
  model: string;
  prompt: string;
  params: ImageTaskParams;
  requestedCount: number;
  completedCount: number;
  creditsUsed: number;
  errorCode: string | null;
  errorMessage: string | null;
  queuePosition: number | null;
  outputs: MediaAssetView[];
  createdAt: Date;
  finishedAt: Date | null;
}

/** The row fields who may see a task and which job card actions apply are decided on. */
export type TaskFacts = Pick<
  GenerationTaskRecord,
  'id' | 'user_id' | 'source' | 'status' | 'completed_count' | 'provider' | 'model' | 'params'
>;

/** A task as status reads answer it, remembered per node (shared: read-only). */
export interface TaskSnapshot {
  view: Omit<TaskView, 'queuePosition'>;
  facts: TaskFacts;
}

/**
 * The generation engine's front door: every contract that produces media creates its tasks here.
 * The task row is written before the job is queued, so the database is always the source of truth.
 */
export class GenerationService {
  /** Status reads served from memory, dropped by the task's events (see TaskSnapshotCache). */
  private readonly snapshots = new TaskSnapshotCache<TaskSnapshot>();
  /** Members' history pages, dropped by their tasks' events and list changes (MemberPagesCache). */
  private readonly pages = new MemberPagesCache();
  private listening: Promise<void> | null = null;
  private crossNodeReady = false;

  constructor(private readonly deps: Deps) {}

  /**
   * Snapshots are served from memory only once this node hears the task events of every node;
   * until then, and if that fails, every status read reads the database.
   */
  private listenForTaskEvents(): void {
    if (this.listening) return;
    this.listening = this.deps.events
      .subscribe((event) => {
        if (event.room.startsWith('task:')) {
          const taskId = event.room.slice(5);
          this.snapshots.forget([taskId]);
          this.pages.forgetTasks([taskId]);
        } else if (event.room === TASKS_ROOM && event.name === TASKS_CHANGED) {
          const change = event.payload as TasksChange;
          this.snapshots.forget(change.taskIds ?? []);
          this.pages.forgetTasks(change.taskIds ?? []);
          this.pages.forgetOwners(change.owners ?? []);
        }
      })
      .then(
        () => {
          this.crossNodeReady = true;
        },
        (error: unknown) =>
          this.deps.logger?.warn(
            { err: (error as Error).message },
            'task status cache off: cannot listen for task events',
          ),
      );
  }

  async createImageTask(actor: Actor, input: CreateImageTaskInput): Promise<GenerationTaskRecord> {
    if (!input.prompt.trim()) throw new ValidationError('prompt must not be empty');
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > 8)
      throw new ValidationError('count must be 1–8');
    const now = this.deps.clock.now();
    const task = await this.deps.tasks.create({
      id: this.deps.ids.uuid(),
      user_id: actor.id,
      source: input.source,
      kind: 'image',
      provider: 'jimeng',
      model: input.model ?? this.deps.defaultImageModel,
      prompt: input.prompt.trim(),
      params: JSON.stringify(input.params),
      requested_count: input.count,
      priority: input.priority ?? DEFAULT_TASK_PRIORITY,
      visibility: input.visibility ?? 'public',
      created_at: now,
      updated_at: now,
    });
    await this.ownersChanged([task]);
    await this.enqueue(task);
    const queuePosition = await this.deps.queue.waitingPosition(GENERATION_JOB, task.id);
    await this.publishProgress({
      taskId: task.id,
      status: 'pending',
      progress: 0,
      message: 'Queued',
      queuePosition: queuePosition ?? undefined,
    });
    return task;
  }

  /**
   * Writes many task rows in one statement and queues them in one round trip. Rows come first
   * (inside the caller's transaction when given, and then the caller calls enqueueMany after
   * commit), so a job never refers to a missing row; a crash in between is healed by the reconciler.
   */
  async createTasks(
    specs: NewTaskSpec[],
    options: { transaction?: TransactionHandle } = {},
  ): Promise<GenerationTaskRecord[]> {
    const rows = await this.deps.tasks.createMany(this.taskValues(specs), options.transaction);
    await this.ownersChanged(rows, options.transaction);
    // Inside a transaction the caller queues the jobs after commit (enqueueMany); otherwise do it now.
    if (!options.transaction) await this.enqueueMany(rows);
    return rows;
  }

  /**
   * `createTasks` for callers that need only the new tasks' ids and priorities (a storyboard batch
   * of a thousand): one INSERT without a model instance per row. Never queues: the caller calls
   * enqueueMany after its transaction commits.
   */
  async insertTasks(
    specs: NewTaskSpec[],
    options: { transaction?: TransactionHandle } = {},
  ): Promise<Array<Pick<GenerationTaskRecord, 'id' | 'priority'>>> {
    const values = this.taskValues(specs);
    await this.deps.tasks.insertMany(values, options.transaction);
    await this.ownersChanged(values, options.transaction);
    return values.map(({ id, priority }) => ({ id, priority }));
  }

  private taskValues(specs: NewTaskSpec[]): NewTaskRecord[] {
    const now = this.deps.clock.now();
    return specs.map((spec) => ({
      id: spec.id ?? this.deps.ids.uuid(),
      user_id: spec.userId,
      source: spec.source,
      kind: spec.kind,
      provider: spec.provider,
      model: spec.model,
      prompt: spec.prompt,
      params: JSON.stringify(spec.params),
      requested_count: spec.count,
      priority: spec.priority,
      batch_id: spec.batchId ?? null,
      created_at: now,
      updated_at: now,
    }));
  }

  /**
   * Queues many tasks' jobs in chunks, in order: workers start on the first chunk while the rest
   * are still being added (queueing a thousand jobs at once would hold every one of them back
   * until the last was written). A crash in between is healed by the reconciler.
   */
  async enqueueMany(tasks: Array<Pick<GenerationTaskRecord, 'id' | 'priority'>>): Promise<void> {
    for (let start = 0; start < tasks.length; start += ENQUEUE_CHUNK) {
      await this.deps.queue.enqueueMany<GenerationJobPayload>(
        GENERATION_JOB,
        tasks.slice(start, start + ENQUEUE_CHUNK).map((task) => ({
          payload: { taskId: task.id },
          options: { jobId: task.id, priority: task.priority || DEFAULT_TASK_PRIORITY },
        })),
      );
    }
  }

  /** Queues (or re-queues) a task's job; the task id as job id makes this safe to repeat. */
  async enqueue(task: Pick<GenerationTaskRecord, 'id' | 'priority'>): Promise<void> {
    await this.deps.queue.enqueue<GenerationJobPayload>(
      GENERATION_JOB,
      { taskId: task.id },
      { jobId: task.id, priority: task.priority || DEFAULT_TASK_PRIORITY },
    );
  }

  /** Owners see their tasks; staff see all but 004's (maySeeTask). Unknown and foreign tasks look the same. */
  async getTask(actor: Actor, taskId: string): Promise<TaskView> {
    return (await this.getTaskWithFacts(actor, taskId)).view;
  }

  /**
   * getTask with the row fields it was decided on (job card actions need them): from this node's
   * memory when the task has not changed since it was read (no event of its room since).
   */
  async getTaskWithFacts(actor: Actor, taskId: string): Promise<{ view: TaskView; facts: TaskFacts }> {
    this.listenForTaskEvents();
    const snapshot = this.crossNodeReady
      ? await this.snapshots.get(taskId, Date.now(), () => this.readSnapshot(taskId))
      : await this.readSnapshot(taskId);
    if (!snapshot || !maySeeTask(actor, snapshot.facts)) throw new TaskNotFoundError();
    // The queue moves without the task's events: a pending task's place is always read live.
    const queuePosition =
      snapshot.view.status === 'pending'
        ? await this.deps.queue.waitingPosition(GENERATION_JOB, taskId)
        : null;
    return { view: { ...snapshot.view, queuePosition }, facts: snapshot.facts };
  }

  /**
   * For changes to tasks that no task event announces (refunds, deletions): this node forgets
   * them at once, every other node when the notice arrives. Call after the change is committed.
   */
  async tasksChanged(taskIds: string[], owners: string[] = []): Promise<void> {
    this.snapshots.forget(taskIds);
    this.pages.forgetTasks(taskIds);
    this.pages.forgetOwners(owners);
    await announceTasksChanged(this.deps.events, taskIds, owners);
  }

  /**
   * A member's history page from this node's memory, else `load`'s (see MemberPagesCache for
   * which pages may be cached: the caller passes only unfiltered pages of one owner). `taskIds`:
   * the tasks shown, whose events drop the page.
   */
  async memberPage<Page>(
    owner: string,
    query: string,
    load: () => Promise<{ page: Page; taskIds: readonly string[] }>,
  ): Promise<Page> {
    this.listenForTaskEvents();
    if (!this.crossNodeReady) return (await load()).page;
    return this.pages.get(owner, query, Date.now(), load);
  }

  /** New tasks move every page of their owners: announced once the rows are committed. */
  private ownersChanged(rows: Array<{ user_id: string }>, transaction?: TransactionHandle): Promise<void> {
    const owners = [...new Set(rows.map((row) => row.user_id))];
    if (!transaction) return this.tasksChanged([], owners);
    transaction.afterCommit(() => this.tasksChanged([], owners).catch(() => undefined));
    return Promise.resolve();
  }

  private async readSnapshot(taskId: string): Promise<TaskSnapshot | null> {
    const task = await this.deps.tasks.load(taskId);
    if (!task) return null;
    const { queuePosition: _live, ...view } = await this.view(task, { queuePosition: false });
    const facts: TaskFacts = {
      id: task.id,
      user_id: task.user_id,
      source: task.source,
      status: task.status,
      completed_count: task.completed_count,
      provider: task.provider,
      model: task.model,
      params: task.params,
    };
    return { view, facts };
  }

  /**
   * The caller's own generations whose id starts with `prefix` (the short id a job card shows),
   * newest first, at most `limit`. Always the caller's own, staff included: a prefix is a
   * shorthand, never a way to reach (or learn of) someone else's generation.
   */
  async findOwnByPrefix(actor: Actor, prefix: string, limit = 10): Promise<GenerationTaskRecord[]> {
    const normalized = prefix.trim().toLowerCase();
    if (!SHORT_ID_PREFIX.test(normalized))
      throw new ValidationError('prefix: 6 to 36 characters of a generation id (hex digits and "-")');
    return this.deps.tasks.findOwnByPrefix(actor.id, normalized, limit);
  }

  async canView(actor: Actor, taskId: string): Promise<boolean> {
    const task = await this.deps.tasks.findAccess(taskId);
    return !!task && maySeeTask(actor, task);
  }

  /** Whether the actor may use a stored media file (see mayUseMedia: it depends on its task). */
  mayUseMedia(
    actor: Actor | undefined,
    asset: Pick<MediaAssetRecord, 'user_id' | 'task_id'>,
  ): Promise<boolean> {
    return mayUseMedia(this.deps.tasks, actor, asset);
  }

  async view(task: GenerationTaskRecord, options: { queuePosition?: boolean } = {}): Promise<TaskView> {
    const assets = await this.deps.tasks.outputs(task.id);
    const status = task.status as TaskStatus;
    return {
      id: task.id,
      status,
      progress: task.progress,
      kind: task.kind,
      model: task.model,
      prompt: task.prompt,
      params: JSON.parse(task.params) as ImageTaskParams,
      requestedCount: task.requested_count,
      completedCount: task.completed_count,
      creditsUsed: task.credits_used,
      errorCode: task.error_code ?? null,
      errorMessage: task.error_message ?? null,
      queuePosition:
        status === 'pending' && options.queuePosition !== false
          ? await this.deps.queue.waitingPosition(GENERATION_JOB, task.id)
          : null,
      outputs: assets.map((asset) => this.deps.media.view(asset)),
      createdAt: task.created_at,
      finishedAt: task.finished_at ?? null,
    };
  }

  /** Tasks the database says should be running; the reconciler compares them with the queue. */
  async unfinishedTasks(olderThan: Date, limit = 500): Promise<GenerationTaskRecord[]> {
    return this.deps.tasks.unfinished(olderThan, limit);
  }

  async publishProgress(event: TaskProgressEvent): Promise<void> {
    await this.deps.events.publish({
      room: taskRoom(event.taskId),
      name: TaskEvents.progress,
      payload: event,
    });
  }
}
