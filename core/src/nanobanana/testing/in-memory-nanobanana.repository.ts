import type { GenerationTaskRecord } from '../../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { NanobananaRepository, NewNanobananaTask, RemovedTaskParts } from '../nanobanana.repository.js';
import { NANOBANANA_SOURCE, type NanobananaScope } from '../nanobanana.types.js';

/**
 * NanobananaRepository in memory, for the 004 use cases' unit tests: tasks, their views' options
 * and images in maps, with the Sequelize adapter's filters and orders. Transactions are ignored
 * (the tests run one use case at a time).
 */
export class InMemoryNanobananaRepository implements NanobananaRepository {
  readonly users = new Set<string>();
  readonly tasks = new Map<string, GenerationTaskRecord>();
  readonly options = new Map<string, string>();
  readonly images = new Map<string, MediaAssetRecord>();

  /** A stored task of another contract (or of 004 with `source` left out), for tests to read. */
  addTask(task: Partial<GenerationTaskRecord> & { id: string; user_id: string }): GenerationTaskRecord {
    const now = new Date('2026-03-01T08:00:00Z');
    const record: GenerationTaskRecord = {
      source: NANOBANANA_SOURCE,
      kind: 'image',
      provider: 'gemini',
      model: 'gemini-image',
      prompt: 'a prompt',
      params: '{}',
      status: 'processing',
      progress: 0,
      requested_count: 1,
      completed_count: 0,
      priority: 0,
      attempts: 0,
      site_switch_count: 0,
      account_id: null,
      batch_id: null,
      credits_used: 0,
      error_code: null,
      error_message: null,
      visibility: 'private',
      started_at: now,
      finished_at: null,
      created_at: now,
      updated_at: now,
      ...task,
    };
    this.tasks.set(record.id, record);
    if (record.source === NANOBANANA_SOURCE) this.options.set(record.id, '');
    return record;
  }

  /** A stored image of `taskId` (null: media of no task). */
  addImage(image: Partial<MediaAssetRecord> & { id: string; task_id: string | null }): MediaAssetRecord {
    const record: MediaAssetRecord = {
      user_id: null,
      position: 0,
      kind: 'image',
      storage_key: `outputs/${image.id}.png`,
      thumbnail_key: `thumbs/${image.id}.webp`,
      mime: 'image/png',
      width: 1024,
      height: 1024,
      size_bytes: 1000,
      original_name: null,
      created_at: new Date('2026-03-01T08:00:00Z'),
      ...image,
    };
    this.images.set(record.id, record);
    return record;
  }

  async ensureUser(user: { id: string }): Promise<void> {
    this.users.add(user.id);
  }

  async createTask(task: NewNanobananaTask): Promise<GenerationTaskRecord> {
    const record = this.addTask({
      id: task.id,
      user_id: task.ownerKey,
      model: task.model,
      prompt: task.prompt,
      params: task.params,
      requested_count: task.requestedCount,
      started_at: task.now,
      created_at: task.now,
      updated_at: task.now,
    });
    this.options.set(task.id, task.options);
    return record;
  }

  async tasksInScope(scope: NanobananaScope, ids: string[]): Promise<GenerationTaskRecord[]> {
    return ids
      .map((id) => this.tasks.get(id))
      .filter(
        (task): task is GenerationTaskRecord =>
          !!task &&
          task.source === NANOBANANA_SOURCE &&
          (!('ownerKey' in scope) || task.user_id === scope.ownerKey),
      )
      .map((task) => ({ ...task }));
  }

  async historyPage(scope: NanobananaScope, limit: number, offset: number) {
    const views = [...this.tasks.values()]
      .filter((task) => this.options.has(task.id))
      .filter((task) => !('ownerKey' in scope) || task.user_id === scope.ownerKey)
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1));
    return { taskIds: views.slice(offset, offset + limit).map((task) => task.id), total: views.length };
  }

  async imagesOfTasks(taskIds: string[]): Promise<MediaAssetRecord[]> {
    return [...this.images.values()]
      .filter((image) => image.task_id !== null && taskIds.includes(image.task_id))
      .sort((a, b) => a.position - b.position);
  }

  async optionsOfTasks(taskIds: string[]): Promise<Map<string, string>> {
    return new Map(taskIds.filter((id) => this.options.has(id)).map((id) => [id, this.options.get(id)!]));
  }

  async removeTaskParts(taskIds: string[]): Promise<RemovedTaskParts> {
    const images = [...this.images.values()].filter(
      (image) => image.task_id !== null && taskIds.includes(image.task_id),
    );
    for (const image of images) this.images.delete(image.id);
    const tasks = taskIds.flatMap((id) => {
      const task = this.tasks.get(id);
      return task ? [{ id: task.id, user_id: task.user_id, params: task.params }] : [];
    });
    return { images, tasks };
  }

  async removeTasks(taskIds: string[]): Promise<void> {
    for (const id of taskIds) {
      this.options.delete(id);
      this.tasks.delete(id);
    }
  }

  async findImage(imageId: string): Promise<MediaAssetRecord | null> {
    return this.images.get(imageId) ?? null;
  }

  async findImages(imageIds: string[]): Promise<MediaAssetRecord[]> {
    return imageIds.flatMap((id) => this.images.get(id) ?? []);
  }

  async imageOrigin(imageId: string) {
    const image = this.images.get(imageId);
    if (!image) return null;
    if (!image.task_id) return { taskId: null, taskSource: null };
    return { taskId: image.task_id, taskSource: this.tasks.get(image.task_id)?.source ?? null };
  }

  async deleteImage(imageId: string): Promise<boolean> {
    return this.images.delete(imageId);
  }

  async decrementCompleted(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (task && task.completed_count > 0) task.completed_count -= 1;
  }
}
