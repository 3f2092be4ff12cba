import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import type { DreamloomModels, GenerationTaskRow, MediaAssetRow } from '../adapters/sequelize/models.js';
import type { NanobananaModels } from '../adapters/sequelize/nanobanana.models.js';
import { encodeGeminiCredential } from '../adapters/providers/gemini/gemini-image.client.js';
import type { FanOutRunner } from '../generation/fan-out.runner.js';
import type { FanOutTaskParams } from '../generation/fan-out.types.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import { sniffMime } from '../media/media.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import {
  NanobananaNotFoundError,
  NanobananaSubmitError,
  NanobananaValidationError,
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
import { fts5OwnerToken, fts5Query, mysqlBooleanQuery, type SearchTokenizer } from './search-text.js';

interface Deps {
  sequelize: Sequelize;
  models: DreamloomModels & NanobananaModels;
  fanOut: FanOutRunner;
  storage: BlobStorage;
  tokenizer: SearchTokenizer;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Sub-jobs of one task in flight at once. */
  taskConcurrency: number;
  /** Largest accepted reference image, in bytes. */
  refImageMaxBytes: number;
  /** SQLite: how many of the newest matches are ordered by relevance (see searchIds). */
  relevanceWindow: number;
}

/** `options` keys mapped onto the SDK's generation config, with their types. */
const optionsSchema = z
  .object({
    temperature: z.number().min(0).max(2),
    seed: z.number().int(),
    topP: z.number().min(0).max(1),
    topK: z.number().int().positive(),
  })
  .partial()
  .strict();

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

  constructor(private readonly deps: Deps) {}

  /** Parses `options` (JSON text) into sampling settings; invalid JSON or types → 400. */
  parseOptions(options: string | undefined): FanOutTaskParams['sampling'] {
    if (options === undefined || options.trim() === '') return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(options);
    } catch {
      throw new NanobananaValidationError('options 不是合法的 JSON');
    }
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success)
      throw new NanobananaValidationError(
        `options 参数有误: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || issue.code} ${issue.message}`).join('; ')}`,
      );
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

  async createBatch(ownerKey: string, input: CreateBatchInput): Promise<GenerationTaskDto> {
    const prompt = input.prompt.trim();
    if (!prompt) throw new NanobananaValidationError('请输入提示词');
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_COUNT)
      throw new NanobananaValidationError('生成数量必须在 1-100 张之间');
    if (input.aspectRatio && !(ASPECT_RATIOS as readonly string[]).includes(input.aspectRatio))
      throw new NanobananaValidationError(`aspectRatio 仅支持 ${ASPECT_RATIOS.join(', ')}`);
    if (input.imageSize && !(IMAGE_SIZES as readonly string[]).includes(input.imageSize))
      throw new NanobananaValidationError(`imageSize 仅支持 ${IMAGE_SIZES.join(', ')}`);
    const sampling = this.parseOptions(input.options);
    const refs = input.refImages ?? [];
    if (refs.length > MAX_REF_IMAGES) throw new NanobananaValidationError(`参考图最多 ${MAX_REF_IMAGES} 张`);
    const refMimes = refs.map((ref) => {
      if (ref.data.length > this.deps.refImageMaxBytes)
        throw new NanobananaValidationError(
          `参考图不能超过 ${Math.floor(this.deps.refImageMaxBytes / 1024 / 1024)}MB`,
        );
      const mime = sniffMime(ref.data);
      if (!mime || !REF_EXTENSIONS[mime]) throw new NanobananaValidationError('参考图仅支持 JPG/PNG/WEBP');
      return mime;
    });
    if (ownerKey === ANONYMOUS_WORKSPACE_USER_ID) await this.ensureAnonymousUser();

    const taskId = this.deps.ids.uuid();
    const referenceKeys: string[] = [];
    for (const [index, ref] of refs.entries()) {
      const key = `nanobanana/refs/${taskId}/${index}.${REF_EXTENSIONS[refMimes[index]!]}`;
      await this.deps.storage.put(key, ref.data, refMimes[index]!);
      referenceKeys.push(key);
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
    const now = this.deps.clock.now();
    const { GenerationTask, NanobananaTask } = this.deps.models;
    let task: GenerationTaskRow;
    try {
      // Plain statements (no transaction, see deleteImage); a failure part-way is purged below.
      task = await GenerationTask.create({
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
      });
      await NanobananaTask.create({
        task_id: taskId,
        owner_key: ownerKey,
        options: input.options ?? '',
        search_text: this.deps.tokenizer.indexText(prompt),
        created_at: now,
      });
      await this.deps.fanOut.storeCredential(taskId, encodeGeminiCredential(input.apiKey, input.apiBase));
      await this.deps.fanOut.createItems(taskId, input.count);
    } catch (error) {
      this.deps.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'create batch failed',
      );
      await this.purgeTask(taskId).catch(() => undefined);
      throw new NanobananaSubmitError(error);
    }
    const { submitted } = await this.deps.fanOut.submit(task);
    if (submitted === 0) {
      await this.purgeTask(taskId).catch(() => undefined);
      throw new NanobananaSubmitError(new Error(task.error_message ?? 'queue unavailable'));
    }
    return this.dto(task, [], input.options ?? '');
  }

  async getTask(scope: NanobananaScope, taskId: string, notFound = '任务不存在'): Promise<GenerationTaskDto> {
    const [dto] = await this.dtos(await this.findTasks(scope, [taskId]));
    if (!dto) throw new NanobananaNotFoundError(notFound);
    return dto;
  }

  async history(scope: NanobananaScope, page: number, pageSize: number) {
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

  /** Full-text search over jieba tokens, relevance first (FTS5 on SQLite, FULLTEXT on MySQL/MariaDB). */
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
  async searchIds(
    scope: NanobananaScope,
    tokens: string[],
    limit: number,
    offset: number,
  ): Promise<{ ids: string[]; total: number }> {
    const sequelize = this.deps.sequelize;
    const owner = 'ownerKey' in scope ? scope.ownerKey : null;
    if (sequelize.getDialect() === 'sqlite') {
      const terms = fts5Query(tokens);
      const q = owner === null ? terms : `"${fts5OwnerToken(owner)}" AND (${terms})`;
      // Only rowids inside the index queries (no content-table lookups per match); the page's
      // rowids are mapped to task ids afterwards.
      const rowids = async (sql: string, replacements: Record<string, unknown>) =>
        (await sequelize.query<{ r: number }>(sql, { type: QueryTypes.SELECT, replacements })).map(
          (row) => row.r,
        );
      // bm25 costs a few µs per match, so relevance is computed over the newest `relevanceWindow`
      // matches (ordered best first); pages past the window continue newest first.
      const page: number[] = [];
      if (offset < this.deps.relevanceWindow) {
        page.push(
          ...(await rowids(
            `SELECT r FROM (
               SELECT rowid AS r, rank AS score FROM nanobanana_search
               WHERE nanobanana_search MATCH :q ORDER BY rowid DESC LIMIT :window
             ) ORDER BY score, r DESC LIMIT :limit OFFSET :offset`,
            {
              q,
              window: this.deps.relevanceWindow,
              limit: Math.min(limit, this.deps.relevanceWindow - offset),
              offset,
            },
          )),
        );
      }
      if (offset + limit > this.deps.relevanceWindow) {
        const start = Math.max(offset, this.deps.relevanceWindow);
        page.push(
          ...(await rowids(
            `SELECT rowid AS r FROM nanobanana_search WHERE nanobanana_search MATCH :q
             ORDER BY rowid DESC LIMIT :limit OFFSET :start`,
            { q, limit: offset + limit - start, start },
          )),
        );
      }
      const byRowid = new Map<number, string>();
      if (page.length) {
        const mapped = await sequelize.query<{ r: number; task_id: string }>(
          'SELECT rowid AS r, task_id FROM nanobanana_tasks WHERE rowid IN (:page)',
          { type: QueryTypes.SELECT, replacements: { page } },
        );
        for (const row of mapped) byRowid.set(Number(row.r), row.task_id);
      }
      const ids = page.map((rowid) => byRowid.get(rowid)).filter((id): id is string => !!id);
      const [counted] = await sequelize.query<{ total: number }>(
        'SELECT COUNT(*) AS total FROM nanobanana_search WHERE nanobanana_search MATCH :q',
        { type: QueryTypes.SELECT, replacements: { q } },
      );
      return { ids, total: Number(counted?.total ?? 0) };
    }
    const replacements = { q: mysqlBooleanQuery(tokens), owner, limit, offset };
    const ownerSql = owner === null ? '' : 'AND owner_key = :owner';
    // InnoDB evaluates a FULLTEXT query at a cost per matching document, so the page and the
    // total come from one evaluation (a window count) instead of two.
    const rows = await sequelize.query<{ task_id: string; total: number }>(
      `SELECT task_id, total FROM (
         SELECT task_id, created_at, MATCH(search_text) AGAINST(:q IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total
         FROM nanobanana_tasks WHERE MATCH(search_text) AGAINST(:q IN BOOLEAN MODE) ${ownerSql}
       ) matched ORDER BY score DESC, created_at DESC LIMIT :limit OFFSET :offset`,
      { type: QueryTypes.SELECT, replacements },
    );
    if (rows.length > 0) return { ids: rows.map((row) => row.task_id), total: Number(rows[0]!.total) };
    // A page past the end has no rows to carry the total.
    const [counted] = await sequelize.query<{ total: number }>(
      `SELECT COUNT(*) AS total FROM nanobanana_tasks WHERE MATCH(search_text) AGAINST(:q IN BOOLEAN MODE) ${ownerSql}`,
      { type: QueryTypes.SELECT, replacements },
    );
    return { ids: [], total: Number(counted?.total ?? 0) };
  }

  async deleteTask(scope: NanobananaScope, taskId: string): Promise<void> {
    const [task] = await this.findTasks(scope, [taskId]);
    if (!task) throw new NanobananaNotFoundError('记录不存在');
    await this.purgeTask(taskId);
  }

  async deleteTasks(scope: NanobananaScope, taskIds: string[]): Promise<void> {
    const tasks = await this.findTasks(scope, [...new Set(taskIds)]);
    for (const task of tasks) await this.purgeTask(task.id);
  }

  /** Removes a task with its files, images, items and credential. A running sub-job finds it gone. */
  private async purgeTask(taskId: string): Promise<void> {
    const { MediaAsset, GenerationTask, NanobananaTask, TaskItem, TaskCredential } = this.deps.models;
    const assets = await MediaAsset.findAll({ where: { task_id: taskId } });
    const task = await GenerationTask.findByPk(taskId);
    const params = task ? (JSON.parse(task.params) as FanOutTaskParams) : {};
    // Children first (foreign keys); each step is idempotent, so a retried delete finishes the job.
    await TaskCredential.destroy({ where: { task_id: taskId } });
    await TaskItem.destroy({ where: { task_id: taskId } });
    await MediaAsset.destroy({ where: { task_id: taskId } });
    await NanobananaTask.destroy({ where: { task_id: taskId } });
    await GenerationTask.destroy({ where: { id: taskId } });
    const keys = [
      ...assets.flatMap((asset) => [asset.storage_key, asset.thumbnail_key]),
      ...(params.referenceKeys ?? []),
    ];
    await this.deleteFiles(keys);
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
  async findImage(scope: NanobananaScope, imageId: string): Promise<MediaAssetRow> {
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
  private async findTasks(scope: NanobananaScope, ids: string[]): Promise<GenerationTaskRow[]> {
    if (ids.length === 0) return [];
    const tasks = await this.deps.models.GenerationTask.findAll({
      where: {
        id: { [Op.in]: ids },
        source: NANOBANANA_SOURCE,
        ...('ownerKey' in scope ? { user_id: scope.ownerKey } : {}),
      },
    });
    const byId = new Map(tasks.map((task) => [task.id, task]));
    return ids.map((id) => byId.get(id)).filter((task): task is GenerationTaskRow => !!task);
  }

  private async dtos(tasks: GenerationTaskRow[]): Promise<GenerationTaskDto[]> {
    if (tasks.length === 0) return [];
    const ids = tasks.map((task) => task.id);
    const [assets, views] = await Promise.all([
      this.deps.models.MediaAsset.findAll({
        where: { task_id: { [Op.in]: ids } },
        order: [['position', 'ASC']],
      }),
      this.deps.models.NanobananaTask.findAll({ where: { task_id: { [Op.in]: ids } } }),
    ]);
    const options = new Map(views.map((view) => [view.task_id, view.options]));
    return tasks.map((task) =>
      this.dto(
        task,
        assets.filter((asset) => asset.task_id === task.id),
        options.get(task.id) ?? '',
      ),
    );
  }

  private dto(task: GenerationTaskRow, assets: MediaAssetRow[], options: string): GenerationTaskDto {
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
