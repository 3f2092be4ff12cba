import type { MediaAssetRecord } from '../media/media-asset.js';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { NanobananaModels } from '../adapters/sequelize/nanobanana.models.js';
import { encodeGeminiCredential } from '../adapters/providers/gemini/gemini-image.client.js';
import type { FanOutSubmission } from '../generation/engine/fan-out-runs.js';
import type { FanOutTaskParams } from '../generation/fan-out.types.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import { ImageRejectedError, sanitizeImage, type SanitizedImage } from '../media/image-sanitizer.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { BaseUrlAllowlist } from '../shared/outbound/base-url-allowlist.js';
import {
  NanobananaNotFoundError,
  NanobananaSubmitError,
  INVALID_REQUEST_MESSAGE,
  NanobananaValidationError,
  refImageTooLargeMessage,
} from './nanobanana.errors.js';
import {
  ANONYMOUS_WORKSPACE_USER_ID,
  ASPECT_RATIOS,
  IMAGE_SIZES,
  MAX_COUNT,
  MAX_REF_IMAGES,
  NANOBANANA_SOURCE,
  type CreateBatchInput,
  type ExportEntry,
  type GeneratedImageDto,
  type GenerationTaskDto,
  type NanobananaScope,
  type NanobananaStatus,
} from './nanobanana.types.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import { searchText, type SearchTokenizer } from './search-text.js';
import { generationOptionsSchema, type GenerationOptions } from './generation-options.js';

interface Deps {
  sequelize: Sequelize;
  models: DreamloomModels & NanobananaModels;
  fanOut: FanOutSubmission;
  storage: BlobStorage;
  tokenizer: SearchTokenizer;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Sub-jobs of one task in flight at once. */
  taskConcurrency: number;
  /** Largest accepted reference image, in bytes. */
  refImageMaxBytes: number;
  searchIndex: NanobananaSearchIndex;
  /** `apiBase` values callers may name (NANOBANANA_API_BASE_ALLOWLIST + GEMINI_BASE_URL); others are a 400. */
  apiBases?: BaseUrlAllowlist;
  /**
   * Announces created and deleted tasks and deleted images to every node's status and history
   * caches (GenerationService.tasksChanged); `owners`: whose list of tasks changed.
   */
  tasksChanged?: (taskIds: string[], owners?: string[]) => Promise<void>;
  /** A member's history page through every node's page cache (GenerationService.memberPage). */
  memberPage?: <Page>(
    owner: string,
    query: string,
    load: () => Promise<{ page: Page; taskIds: readonly string[] }>,
  ) => Promise<Page>;
}

/** InnoDB's answer to a lock-order cycle or wait: the transaction rolled back and may run again. */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const TRANSACTION_ATTEMPTS = 5;

const REF_EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/**
 * Contract 004 as a view on the generation engine: a batch is one generation task (provider
 * gemini) that fans out into `count` sub-jobs, run with the caller's own key.
 * Every method takes the caller's scope first; foreign and unknown tasks look the same.
 */
export class NanobananaService {
  private anonymousReady: Promise<void> | null = null;
  /** Tail of this process's SQLite write chain (see `transaction`). */
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: Deps) {}

  /**
   * Parses `options` (JSON text) into the SDK's generation config (see generation-options.ts).
   * Malformed JSON, unknown fields and wrong types are the contract's generic 400, whose text
   * both generation routes document; nothing is stored.
   */
  parseOptions(options: string | undefined): GenerationOptions | undefined {
    if (options === undefined || options.trim() === '') return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(options);
    } catch {
      throw new NanobananaValidationError(INVALID_REQUEST_MESSAGE);
    }
    const parsed = generationOptionsSchema.safeParse(raw);
    if (!parsed.success) throw new NanobananaValidationError(INVALID_REQUEST_MESSAGE, parsed.error.issues);
    return parsed.data;
  }

  /** The user that owns the shared anonymous workspace's tasks (created on first use). */
  private ensureAnonymousUser(): Promise<void> {
    this.anonymousReady ??= (async () => {
      const now = this.deps.clock.now();
      await this.deps.models.User.findOrCreate({
        where: { id: ANONYMOUS_WORKSPACE_USER_ID },
        defaults: {
          id: ANONYMOUS_WORKSPACE_USER_ID,
          username: null,
          display_name: 'NanoBanana anonymous workspace',
          role: 'user',
          created_at: now,
          updated_at: now,
        },
      });
    })().catch((error: unknown) => {
      this.anonymousReady = null;
      throw error;
    });
    return this.anonymousReady;
  }

  /** A reference image decoded and re-encoded, or the contract's 400 saying why not. */
  private async sanitizeReference(data: Buffer): Promise<SanitizedImage> {
    try {
      return await sanitizeImage(data, { allowedMimes: Object.keys(REF_EXTENSIONS) });
    } catch (error) {
      if (!(error instanceof ImageRejectedError)) throw error;
      throw new NanobananaValidationError(
        error.reason === 'unsupported'
          ? '参考图仅支持 JPG/PNG/WEBP'
          : error.reason === 'too_large'
            ? '参考图分辨率过大'
            : '参考图无法解析，请上传完整的 JPG/PNG/WEBP 图片',
      );
    }
  }

  async createBatch(ownerKey: string, input: CreateBatchInput): Promise<GenerationTaskDto> {
    const prompt = input.prompt.trim();
    if (!prompt) throw new NanobananaValidationError('请输入提示词');
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_COUNT)
      throw new NanobananaValidationError('生成数量必须在 1-100 张之间');
    if (input.aspectRatio && !(ASPECT_RATIOS as readonly string[]).includes(input.aspectRatio))
      throw new NanobananaValidationError(`aspectRatio 仅支持 ${ASPECT_RATIOS.join(', ')}`);
    if (input.imageSize && !(IMAGE_SIZES as readonly string[]).includes(input.imageSize))
      throw new NanobananaValidationError(`imageSize 仅支持 ${IMAGE_SIZES.join(', ')}`);
    // The server calls apiBase with the caller's key: only bases staff listed (SSRF), before anything is stored.
    if (input.apiBase !== undefined && this.deps.apiBases && !this.deps.apiBases.allows(input.apiBase))
      throw new NanobananaValidationError('apiBase 不在允许的地址列表中');
    const sampling = this.parseOptions(input.options);
    const refs = input.refImages ?? [];
    if (refs.length > MAX_REF_IMAGES) throw new NanobananaValidationError(`参考图最多 ${MAX_REF_IMAGES} 张`);
    for (const ref of refs)
      if (ref.data.length > this.deps.refImageMaxBytes)
        throw new NanobananaValidationError(refImageTooLargeMessage(this.deps.refImageMaxBytes));
    // Stored (and sent to Gemini) re-encoded: only the pixels of each reference survive.
    const images: SanitizedImage[] = [];
    for (const ref of refs) images.push(await this.sanitizeReference(ref.data));
    if (ownerKey === ANONYMOUS_WORKSPACE_USER_ID) await this.ensureAnonymousUser();

    const taskId = this.deps.ids.uuid();
    const referenceKeys: string[] = [];
    try {
      for (const [index, image] of images.entries()) {
        const key = `nanobanana/refs/${taskId}/${index}.${image.extension}`;
        referenceKeys.push(key);
        await this.deps.storage.put(key, image.data, image.mime);
      }
    } catch (error) {
      await this.deleteFiles(referenceKeys);
      throw new NanobananaSubmitError(error);
    }
    const params: ImageTaskParams & FanOutTaskParams = {
      ratio: input.aspectRatio ?? '',
      resolution: input.imageSize ?? '',
      fanOut: { concurrency: this.deps.taskConcurrency },
      ...(referenceKeys.length ? { referenceKeys } : {}),
      ...(sampling ? { sampling } : {}),
      // The caller's request minus the key, so the generation can be understood and reused.
      request: {
        model: input.model,
        count: input.count,
        apiBase: input.apiBase ?? null,
        aspectRatio: input.aspectRatio ?? null,
        imageSize: input.imageSize ?? null,
        options: input.options ?? '',
        refImages: refs.length,
      },
    };
    const { GenerationTask, NanobananaTask } = this.deps.models;
    let task: GenerationTaskRow;
    try {
      // One transaction: the task, its view, its search postings, credential and items exist
      // together or not at all.
      task = await this.transaction(async (transaction) => {
        const now = this.deps.clock.now();
        const created = await GenerationTask.create(
          {
            id: taskId,
            user_id: ownerKey,
            source: NANOBANANA_SOURCE,
            kind: 'image',
            provider: 'gemini',
            model: input.model,
            prompt,
            params: JSON.stringify(params),
            requested_count: input.count,
            status: 'processing',
            visibility: 'private',
            started_at: now,
            created_at: now,
            updated_at: now,
          },
          { transaction },
        );
        const tokens = this.deps.tokenizer.indexTokens(prompt);
        await NanobananaTask.create(
          {
            task_id: taskId,
            owner_key: ownerKey,
            options: input.options ?? '',
            search_text: searchText(tokens),
            created_at: now,
          },
          { transaction },
        );
        await this.deps.searchIndex.add([{ taskId, ownerKey, tokens }], transaction);
        await this.deps.fanOut.storeCredential(
          taskId,
          encodeGeminiCredential(input.apiKey, input.apiBase),
          transaction,
        );
        await this.deps.fanOut.createItems(taskId, input.count, transaction);
        return created;
      });
    } catch (error) {
      this.deps.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'create batch failed',
      );
      // The rows rolled back; the reference files were written before them.
      await this.deleteFiles(referenceKeys);
      throw new NanobananaSubmitError(error);
    }
    // A new task moves every history page of its owner, on every node.
    await this.deps.tasksChanged?.([], [ownerKey]);
    const { submitted } = await this.deps.fanOut.submit(task);
    if (submitted === 0) {
      await this.purgeTasks([taskId]).catch(() => undefined);
      throw new NanobananaSubmitError(new Error(task.error_message ?? 'queue unavailable'));
    }
    return this.dto(task, [], input.options ?? '');
  }

  async getTask(scope: NanobananaScope, taskId: string, notFound = '任务不存在'): Promise<GenerationTaskDto> {
    const read = async () => {
      const [dto] = await this.dtos(await this.findTasks(scope, [taskId]));
      if (!dto) throw new NanobananaNotFoundError(notFound);
      return dto;
    };
    // A status poll of one's own task comes from the node's memory until the task's next event
    // (the page cache keys it by owner, so another owner's id is read, and refused, as before).
    const owner = 'ownerKey' in scope ? scope.ownerKey : null;
    if (!owner || !this.deps.memberPage) return read();
    return this.deps.memberPage(owner, `004-task:${taskId}`, async () => ({
      page: await read(),
      taskIds: [taskId],
    }));
  }

  async history(scope: NanobananaScope, page: number, pageSize: number) {
    const owner = 'ownerKey' in scope ? scope.ownerKey : null;
    if (!owner || !this.deps.memberPage) return this.readHistory(scope, page, pageSize);
    return this.deps.memberPage(owner, `004:${page}:${pageSize}`, async () => {
      const read = await this.readHistory(scope, page, pageSize);
      return { page: read, taskIds: read.list.map((task) => task.id) };
    });
  }

  private async readHistory(scope: NanobananaScope, page: number, pageSize: number) {
    const { NanobananaTask } = this.deps.models;
    const where = 'ownerKey' in scope ? { owner_key: scope.ownerKey } : {};
    const { rows, count } = await NanobananaTask.findAndCountAll({
      where,
      order: [
        ['created_at', 'DESC'],
        ['task_id', 'DESC'],
      ],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const list = await this.dtos(
      await this.findTasks(
        scope,
        rows.map((row) => row.task_id),
      ),
    );
    return { list, total: count, page };
  }

  /** Full-text search over jieba tokens, relevance first (FTS5 on SQLite, posting tables on MySQL/MariaDB). */
  async search(scope: NanobananaScope, keyword: string, page: number, pageSize: number) {
    const trimmed = keyword.trim();
    if (!trimmed) throw new NanobananaValidationError('请输入搜索关键词');
    const tokens = this.deps.tokenizer.queryTokens(trimmed).slice(0, 32);
    const empty = { list: [], total: 0, page, pageSize, keyword: trimmed };
    if (tokens.length === 0) return empty;
    const { ids, total } = await this.searchIds(scope, tokens, pageSize, (page - 1) * pageSize);
    const list = await this.dtos(await this.findTasks(scope, ids));
    return { list, total, page, pageSize, keyword: trimmed };
  }

  /** Raw search: ids of one page in relevance order, and the total. Exposed for the benchmark. */
  searchIds(
    scope: NanobananaScope,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    return this.deps.searchIndex.search('ownerKey' in scope ? scope.ownerKey : null, tokens, limit, offset);
  }

  async deleteTask(scope: NanobananaScope, taskId: string): Promise<void> {
    const [task] = await this.findTasks(scope, [taskId]);
    if (!task) throw new NanobananaNotFoundError('记录不存在');
    await this.purgeTasks([taskId]);
  }

  /** Deletes the tasks among `taskIds` that the scope may see, all in one transaction. */
  async deleteTasks(scope: NanobananaScope, taskIds: string[]): Promise<void> {
    const tasks = await this.findTasks(scope, [...new Set(taskIds)]);
    await this.purgeTasks(tasks.map((task) => task.id));
  }

  /**
   * Removes tasks with their search postings, images, items and credentials in one transaction,
   * then their files. A sub-job still storing an output meanwhile cannot leave a file behind:
   *
   * - the images are read with a locking read, so an image row committed before that read is
   *   listed here and its files are deleted below;
   * - an image row inserted after it waits for this transaction (the read's range lock on MySQL,
   *   the database lock on SQLite) and then fails its foreign key, and the media service removes
   *   the files it wrote for it.
   */
  private async purgeTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const { MediaAsset, GenerationTask, NanobananaTask, TaskItem, TaskCredential } = this.deps.models;
    let owners: string[] = [];
    const keys = await this.transaction(async (transaction) => {
      const where = { task_id: { [Op.in]: taskIds } };
      await TaskItem.destroy({ where, transaction });
      await TaskCredential.destroy({ where, transaction });
      const assets = await MediaAsset.findAll({ where, transaction, lock: transaction.LOCK.UPDATE });
      const tasks = await GenerationTask.findAll({
        where: { id: { [Op.in]: taskIds } },
        attributes: ['id', 'user_id', 'params'],
        transaction,
      });
      owners = [...new Set(tasks.map((task) => task.user_id))];
      await MediaAsset.destroy({ where, transaction });
      await this.deps.searchIndex.remove(taskIds, transaction);
      await NanobananaTask.destroy({ where, transaction });
      await GenerationTask.destroy({ where: { id: { [Op.in]: taskIds } }, transaction });
      return [
        ...assets.flatMap((asset) => [asset.storage_key, asset.thumbnail_key]),
        ...tasks.flatMap((task) => (JSON.parse(task.params) as FanOutTaskParams).referenceKeys ?? []),
      ];
    });
    await this.deps.tasksChanged?.(taskIds, owners);
    await this.deleteFiles([...new Set(keys)]);
  }

  /**
   * Runs a write transaction. SQLite has one writer at a time, so this process queues its own
   * transactions instead of racing for the lock (as the credits ledger does); on MySQL/MariaDB a
   * deadlock or lock-wait timeout (the whole transaction rolled back) is retried.
   */
  private async transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const { sequelize } = this.deps;
    if (sequelize.getDialect() === 'sqlite') {
      const run = this.sqliteTail.then(() => sequelize.transaction(work));
      this.sqliteTail = run.catch(() => undefined);
      return run;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await sequelize.transaction(work);
      } catch (error) {
        const code = (error as { parent?: { code?: string } }).parent?.code;
        if (!code || !RETRYABLE.has(code) || attempt >= TRANSACTION_ATTEMPTS) throw error;
        this.deps.logger.warn({ code, attempt }, 'nanobanana transaction retried');
        // A short random pause, so the transactions that collided do not collide again at once.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  private async deleteFiles(keys: (string | null)[]): Promise<void> {
    for (const key of keys) {
      if (!key) continue;
      // A file that cannot be removed is logged, not fatal (contract: 记录警告但不影响整体流程).
      await this.deps.storage.delete(key).catch((error: unknown) => {
        this.deps.logger.warn(
          { key, err: error instanceof Error ? error.message : String(error) },
          'file delete failed',
        );
      });
    }
  }

  /** Whose media an id is: a NanoBanana task's image, another contract's media, or nothing. */
  async imageOwner(imageId: string): Promise<'nanobanana' | 'other' | 'none'> {
    const asset = await this.deps.models.MediaAsset.findByPk(imageId, { attributes: ['id', 'task_id'] });
    if (!asset) return 'none';
    if (!asset.task_id) return 'other';
    const task = await this.deps.models.GenerationTask.findByPk(asset.task_id, { attributes: ['source'] });
    return task?.source === NANOBANANA_SOURCE ? 'nanobanana' : 'other';
  }

  /** An image of a NanoBanana task in scope, by id. */
  async findImage(scope: NanobananaScope, imageId: string): Promise<MediaAssetRecord> {
    const { MediaAsset } = this.deps.models;
    const asset = /^\d{1,20}$/.test(imageId) ? await MediaAsset.findByPk(imageId) : null;
    if (!asset?.task_id || !(await this.findTasks(scope, [asset.task_id])).length)
      throw new NanobananaNotFoundError('图片不存在');
    return asset;
  }

  /**
   * Deletes an image (file, thumbnail, row) and decrements its task's completedCount. Only the
   * caller whose DELETE removed the row decrements, so concurrent deletes of one image count once,
   * and the decrement is one conditional UPDATE (`completed_count > 0`), so it never goes below 0.
   * (Two single statements rather than a transaction: SQLite serialises them without a write lock
   * held across round trips.)
   */
  async deleteImage(scope: NanobananaScope, imageId: string): Promise<void> {
    const asset = await this.findImage(scope, imageId);
    const { MediaAsset, GenerationTask } = this.deps.models;
    const deleted = await MediaAsset.destroy({ where: { id: asset.id } });
    if (deleted !== 1) throw new NanobananaNotFoundError('图片不存在');
    await GenerationTask.decrement('completed_count', {
      by: 1,
      where: { id: asset.task_id!, completed_count: { [Op.gt]: 0 } },
    });
    await this.deps.tasksChanged?.([asset.task_id!]);
    await this.deleteFiles([asset.storage_key, asset.thumbnail_key]);
  }

  /** Validates an export request: every id must be an image in scope; names are unique in the ZIP. */
  async exportEntries(scope: NanobananaScope, imageIds: string[]): Promise<ExportEntry[]> {
    const ids = [...new Set(imageIds)];
    if (ids.length === 0 || ids.some((id) => !/^\d{1,20}$/.test(id)))
      throw new NanobananaValidationError('参数错误');
    const { MediaAsset } = this.deps.models;
    const assets = await MediaAsset.findAll({ where: { id: { [Op.in]: ids } } });
    const visible = new Set(
      (await this.findTasks(scope, [...new Set(assets.map((asset) => asset.task_id!).filter(Boolean))])).map(
        (task) => task.id,
      ),
    );
    const byId = new Map(
      assets.filter((asset) => visible.has(asset.task_id!)).map((asset) => [asset.id, asset]),
    );
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length) throw new NanobananaNotFoundError(`图片不存在: ${missing.slice(0, 5).join(', ')}`);
    return ids.map((id) => {
      const asset = byId.get(id)!;
      return { name: `${id}.${asset.storage_key.split('.').pop()}`, storageKey: asset.storage_key };
    });
  }

  /** NanoBanana tasks among `ids` that the scope may see, in the order of `ids`. */
  /** Plain rows (read-only, no model instances: status polls and history pages read them). */
  private async findTasks(scope: NanobananaScope, ids: string[]): Promise<GenerationTaskRow[]> {
    if (ids.length === 0) return [];
    const tasks = (await this.deps.models.GenerationTask.findAll({
      where: {
        id: { [Op.in]: ids },
        source: NANOBANANA_SOURCE,
        ...('ownerKey' in scope ? { user_id: scope.ownerKey } : {}),
      },
      raw: true,
    })) as unknown as GenerationTaskRow[];
    const byId = new Map(tasks.map((task) => [task.id, task]));
    return ids.map((id) => byId.get(id)).filter((task): task is GenerationTaskRow => !!task);
  }

  private async dtos(tasks: GenerationTaskRow[]): Promise<GenerationTaskDto[]> {
    if (tasks.length === 0) return [];
    const ids = tasks.map((task) => task.id);
    // Plain rows: building a model instance per image was most of a history page's CPU.
    const [assets, views] = (await Promise.all([
      this.deps.models.MediaAsset.findAll({
        where: { task_id: { [Op.in]: ids } },
        order: [['position', 'ASC']],
        raw: true,
      }),
      this.deps.models.NanobananaTask.findAll({
        attributes: ['task_id', 'options'],
        where: { task_id: { [Op.in]: ids } },
        raw: true,
      }),
    ])) as unknown as [MediaAssetRecord[], Array<{ task_id: string; options: string }>];
    const options = new Map(views.map((view) => [view.task_id, view.options]));
    return tasks.map((task) =>
      this.dto(
        task,
        assets.filter((asset) => asset.task_id === task.id),
        options.get(task.id) ?? '',
      ),
    );
  }

  private dto(task: GenerationTaskRow, assets: MediaAssetRecord[], options: string): GenerationTaskDto {
    return {
      id: task.id,
      prompt: task.prompt,
      model: task.model,
      totalCount: task.requested_count,
      completedCount: task.completed_count ?? 0,
      status: contractStatus(task.status),
      options,
      errorMessage: task.error_message ?? '',
      createdAt: new Date(task.created_at).toISOString(),
      updatedAt: new Date(task.updated_at).toISOString(),
      images: assets.map((asset) => imageDto(asset)),
    };
  }
}

export function contractStatus(status: string): NanobananaStatus {
  if (status === 'completed' || status === 'failed' || status === 'partial') return status;
  if (status === 'cancelled') return 'failed';
  return 'processing';
}

/** Paths are server-relative URLs: `/media/…` serves them (keys hold a random task uuid). */
export function imageDto(asset: {
  id: string;
  task_id: string | null;
  storage_key: string;
  thumbnail_key: string | null;
  size_bytes: number;
  width: number | null;
  height: number | null;
  mime: string;
  created_at: Date | string;
}): GeneratedImageDto {
  return {
    id: asset.id,
    taskId: asset.task_id ?? '',
    filePath: `/media/${asset.storage_key}`,
    thumbnailPath: asset.thumbnail_key ? `/media/${asset.thumbnail_key}` : '',
    fileSize: asset.size_bytes,
    width: asset.width ?? 0,
    height: asset.height ?? 0,
    mimeType: asset.mime,
    createdAt: new Date(asset.created_at).toISOString(),
  };
}
