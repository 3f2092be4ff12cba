import { encodeGeminiCredential } from '../adapters/providers/gemini/gemini-image.client.js';
import type { FanOutSubmission } from '../generation/engine/fan-out-runs.js';
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { FanOutTaskParams } from '../generation/fan-out.types.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import { ImageRejectedError, sanitizeImage, type SanitizedImage } from '../media/image-sanitizer.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { BaseUrlAllowlist } from '../shared/outbound/base-url-allowlist.js';
import type { UnitOfWork } from '../shared/unit-of-work.js';
import {
  NanobananaSubmitError,
  INVALID_REQUEST_MESSAGE,
  NanobananaValidationError,
  refImageTooLargeMessage,
} from './nanobanana.errors.js';
import type { NanobananaRepository } from './nanobanana.repository.js';
import type { NanobananaSearchIndex } from './nanobanana-search.port.js';
import {
  ANONYMOUS_WORKSPACE_USER_ID,
  ASPECT_RATIOS,
  IMAGE_SIZES,
  MAX_COUNT,
  MAX_REF_IMAGES,
  type CreateBatchInput,
  type GenerationTaskDto,
} from './nanobanana.types.js';
import { taskDto } from './nanobanana-dto.js';
import type { NanobananaTaskRemoval } from './nanobanana-task-removal.js';
import { searchText, type SearchTokenizer } from './search-text.js';
import { deleteStoredFiles } from './stored-files.js';
import { generationOptionsSchema, type GenerationOptions } from './generation-options.js';

interface Deps {
  repository: NanobananaRepository;
  /** The module's unit of work (shared with removal: one SQLite write queue for contract 004). */
  unitOfWork: UnitOfWork;
  fanOut: FanOutSubmission;
  /** A batch the queue took none of is deleted again. */
  removal: Pick<NanobananaTaskRemoval, 'purge'>;
  storage: BlobStorage;
  tokenizer: SearchTokenizer;
  searchIndex: NanobananaSearchIndex;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Sub-jobs of one task in flight at once. */
  taskConcurrency: number;
  /** Largest accepted reference image, in bytes. */
  refImageMaxBytes: number;
  /** `apiBase` values callers may name (NANOBANANA_API_BASE_ALLOWLIST + GEMINI_BASE_URL); others are a 400. */
  apiBases?: BaseUrlAllowlist;
  /** A created task moves its owner's history pages on every node (GenerationService.tasksChanged). */
  tasksChanged?: (taskIds: string[], owners?: string[]) => Promise<void>;
}

const REF_EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/**
 * Contract 004's submit, as a view on the generation engine: a batch is one generation task
 * (provider gemini) that fans out into `count` sub-jobs, run with the caller's own key.
 */
export class NanobananaSubmitService {
  private anonymousReady: Promise<void> | null = null;

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
    this.anonymousReady ??= this.deps.repository
      .ensureUser({
        id: ANONYMOUS_WORKSPACE_USER_ID,
        displayName: 'NanoBanana anonymous workspace',
        now: this.deps.clock.now(),
      })
      .catch((error: unknown) => {
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
    const { repository, fanOut } = this.deps;
    let task: GenerationTaskRecord;
    try {
      // One transaction: the task, its view, its search postings, credential and items exist
      // together or not at all.
      task = await this.deps.unitOfWork.run(async (transaction) => {
        const tokens = this.deps.tokenizer.indexTokens(prompt);
        const created = await repository.createTask(
          {
            id: taskId,
            ownerKey,
            model: input.model,
            prompt,
            params: JSON.stringify(params),
            requestedCount: input.count,
            options: input.options ?? '',
            searchText: searchText(tokens),
            now: this.deps.clock.now(),
          },
          transaction,
        );
        await this.deps.searchIndex.add([{ taskId, ownerKey, tokens }], transaction);
        await fanOut.storeCredential(
          taskId,
          encodeGeminiCredential(input.apiKey, input.apiBase),
          transaction,
        );
        await fanOut.createItems(taskId, input.count, transaction);
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
    const { submitted } = await fanOut.submit(task);
    if (submitted === 0) {
      await this.deps.removal.purge([taskId]).catch(() => undefined);
      throw new NanobananaSubmitError(new Error(task.error_message ?? 'queue unavailable'));
    }
    return taskDto(task, [], input.options ?? '');
  }

  private deleteFiles(keys: string[]): Promise<void> {
    return deleteStoredFiles(this.deps.storage, this.deps.logger, keys);
  }
}
