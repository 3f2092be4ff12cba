import type { MediaAssetRecord } from '../media/media-asset.js';
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import { AppError, ForbiddenError, ValidationError } from '../errors.js';
import { GENERATION_JOB, type ImageTaskParams, type TaskStatus } from '../generation/generation.types.js';
import { DEFAULT_TASK_PRIORITY, type GenerationService } from '../generation/generation.service.js';
import { hasRole, isStaff, type Actor } from '../identity/actor.js';
import { ImageRejectedError, sanitizeImage } from '../media/image-sanitizer.js';
import type { MediaService } from '../media/media.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import type { IdGenerator } from '../shared/ids.js';
import type { AnimePromptService } from './anime-prompt.service.js';
import type { OwnMediaReader } from './own-media.reader.js';
import { ReferenceRefusedError, type FetchedImage, type ReferenceFetcher } from './reference-fetcher.js';
import { createChargedTask, type ChargedTaskDeps } from './charged-task-creation.js';
import type { AnimePromptRepository } from './anime-prompt.repository.js';
import type { AnimeTaskFilter, AnimeTaskRepository } from './anime-task.repository.js';
import type { ImagePriceRule, ModelPricesService, PriceQuote } from './model-prices.service.js';
import { memberFacingFailure } from '../generation/generation-failures.js';

export const IMAGE_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;

/** Contract 000 create-task fields (anime and action_figure); all optional so a reuse can fill them. */
export interface ImageRequestInput {
  gen_type?: 'anime' | 'action_figure';
  prompt?: string;
  template_id?: string;
  template_prompt?: string;
  user_prompt?: string;
  style_preset?: string;
  scene_preset?: string;
  outfit_preset?: string;
  action_preset?: string;
  character_uuids?: string[];
  aspect_ratio?: string;
  image_resolution?: string;
  model_uuid?: string;
  batch_size?: number;
  reference_image_urls?: string[];
  visibility_level?: 'public' | 'private';
  /** Reuse (000 v1.1): a previous generation (or one of its images) whose settings are the defaults. */
  gen_image_id?: string;
}

export interface HistoryQuery {
  page: number;
  limit: number;
  status?: 'completed' | 'failed' | 'pending' | 'processing';
}

/** Staff: every member's generations, optionally one kind or one user. */
export interface AllGenerationsQuery extends HistoryQuery {
  kind?: 'image' | 'video';
  user_id?: string;
}

/** An image model members may pick by `model_uuid`, with its price (staff view of configuration). */
export interface ImageModelView {
  model_uuid: string;
  provider: 'jimeng' | 'gemini';
  is_default: boolean;
  /** MC per image (× batch_size), by resolution; see ModelPricesService. */
  price: ImagePriceRule;
  price_source: 'default' | 'custom';
  price_updated_by: string | null;
  price_updated_by_name: string | null;
  price_updated_at: string | null;
  aspect_ratios: readonly string[];
  resolutions: readonly string[];
  max_batch_size: number;
  max_reference_images: number;
}

interface Deps extends ChargedTaskDeps {
  tasks: AnimeTaskRepository;
  /** Reads the members' characters a prompt names. */
  promptRepository: Pick<AnimePromptRepository, 'characters'>;
  generation: GenerationService;
  prompts: AnimePromptService;
  fetcher: ReferenceFetcher;
  /** Reads references to Dreamloom's own media from storage (with an access check) instead of over HTTP. */
  ownMedia?: OwnMediaReader;
  media: MediaService;
  storage: BlobStorage;
  queue: JobQueue;
  ids: IdGenerator;
  defaultModel: string;
  /** Gemini image models members may pick by `model_uuid` (served by GeminiImageRunner). */
  geminiModels: string[];
  /** Per-model price rules (ANIME_IMAGE_CREDITS_PER_IMAGE per image until staff set one). */
  prices: ModelPricesService;
  maxReferenceImages: number;
}

const SOURCES = ['anime', 'anime-video'];

/** Contract 000: image generations for members (presets, characters, safe references, reuse, history). */
export class AnimeImageService {
  constructor(private readonly deps: Deps) {}

  async createTask(
    actor: Actor,
    body: ImageRequestInput,
  ): Promise<{ generation_uuid: string; status: 'pending' }> {
    const input = body.gen_image_id ? await this.withReused(actor, body) : body;
    const genType = input.gen_type ?? 'anime';
    const basePrompt =
      genType === 'action_figure'
        ? [input.template_prompt, input.user_prompt]
            .map((part) => part?.trim())
            .filter(Boolean)
            .join(', ')
        : (input.prompt?.trim() ?? '');
    if (!basePrompt)
      throw new ValidationError(
        genType === 'action_figure' ? 'template_prompt or user_prompt is required' : 'prompt is required',
      );
    const ratio = input.aspect_ratio ?? (genType === 'action_figure' ? '3:4' : '1:1');
    if (!(IMAGE_RATIOS as readonly string[]).includes(ratio))
      throw new ValidationError(`aspect_ratio must be one of ${IMAGE_RATIOS.join(', ')}`);
    const resolution = (input.image_resolution ?? '2K').toUpperCase();
    if (!/^[124]K$/.test(resolution)) throw new ValidationError('image_resolution must be 1K, 2K or 4K');
    const count = input.batch_size ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 4)
      throw new ValidationError('batch_size must be 1–4');
    const visibility = input.visibility_level ?? 'public';
    if (visibility === 'private' && !hasRole(actor, 'pro'))
      throw new ForbiddenError('Private generations need a Pro membership');
    const { provider, model } = this.model(input.model_uuid);
    const presets = await this.deps.prompts.resolvePresets({
      style: input.style_preset,
      scene: input.scene_preset,
      outfit: input.outfit_preset,
      action: input.action_preset,
    });
    const characters = await this.characters(actor, input.character_uuids ?? []);
    const references = await this.references(actor, input.reference_image_urls ?? []);
    const referenceUrls = references.map((reference) => reference.url);
    const prompt = [basePrompt, ...characters, ...presets.map((preset) => preset.prompt)]
      .join(', ')
      .slice(0, 4000);
    const request: Record<string, unknown> = {
      ...input,
      gen_type: genType,
      aspect_ratio: ratio,
      image_resolution: resolution,
      batch_size: count,
      visibility_level: visibility,
      model_uuid: input.model_uuid ?? model,
      ...(references.length ? { reference_storage_keys: references.map((reference) => reference.key) } : {}),
    };
    delete request.gen_image_id;
    const params: ImageTaskParams = {
      ratio,
      resolution: resolution.toLowerCase(),
      ...(referenceUrls.length ? { referenceImages: referenceUrls } : {}),
      request,
    };
    const quote = await this.deps.prices.quoteImage(this.pricedModel(model), resolution, count);
    const cost = quote.estimated_credits;
    const taskId = this.deps.ids.uuid();
    await createChargedTask(this.deps, actor, {
      task: {
        id: taskId,
        userId: actor.id,
        source: 'anime',
        kind: 'image',
        provider,
        model,
        prompt,
        params,
        count,
        priority: DEFAULT_TASK_PRIORITY,
      },
      visibility,
      credits: cost,
      note: quote.explain,
    });
    const queuePosition = await this.deps.queue.waitingPosition(GENERATION_JOB, taskId);
    await this.deps.generation.publishProgress({
      taskId,
      status: 'pending',
      progress: 0,
      message: 'Queued',
      queuePosition: queuePosition ?? undefined,
    });
    return { generation_uuid: taskId, status: 'pending' };
  }

  /** The caller's generations, newest first, with their outputs and the settings to reuse them. */
  async history(actor: Actor, query: HistoryQuery) {
    const read = () => this.page(query, { userId: actor.id, sources: SOURCES });
    // Unfiltered pages come from the node's memory until one of their tasks or the list changes.
    if (query.status) return read();
    return this.deps.generation.memberPage(actor.id, `anime:${query.page}:${query.limit}`, async () => {
      const page = await read();
      return { page, taskIds: page.records.map((record) => record.generation_uuid) };
    });
  }

  /** Staff: image and video generations of every member, newest first, with their owner's id. */
  async allGenerations(actor: Actor, query: AllGenerationsQuery) {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can list every generation');
    const sources = query.kind === 'image' ? ['anime'] : query.kind === 'video' ? ['anime-video'] : SOURCES;
    return this.page(
      query,
      { sources, ...(query.user_id ? { userId: query.user_id } : {}) },
      { staffView: true },
    );
  }

  /**
   * The price of an image request before it runs (an addition to contract 000, the counterpart of
   * 001's video quote): create-task charges exactly this for the same model, resolution and count.
   */
  async quote(input: {
    model_uuid?: string;
    image_resolution?: string;
    batch_size?: number;
  }): Promise<PriceQuote> {
    const resolution = (input.image_resolution ?? '2K').toUpperCase();
    if (!/^[124]K$/.test(resolution)) throw new ValidationError('image_resolution must be 1K, 2K or 4K');
    const count = input.batch_size ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 4)
      throw new ValidationError('batch_size must be 1–4');
    const { model } = this.model(input.model_uuid);
    return this.deps.prices.quoteImage(this.pricedModel(model), resolution, count);
  }

  /** Image model ids staff can price: the default Jimeng model and the Gemini models. */
  pricedModelIds(): string[] {
    return [this.deps.defaultModel, ...this.deps.geminiModels];
  }

  /** Other `jimeng-<version>` models are priced like the default Jimeng model. */
  private pricedModel(model: string): string {
    return this.pricedModelIds().includes(model) ? model : this.deps.defaultModel;
  }

  /** The configured image models: Jimeng's default (any `jimeng-<version>` is accepted too) and Gemini's. */
  async listModels(): Promise<ImageModelView[]> {
    const sources = await this.deps.prices.sources();
    const priced = (modelUuid: string) => {
      const custom = sources.get(`image:${modelUuid}`);
      return {
        price: (custom?.rule as ImagePriceRule | undefined) ?? this.deps.prices.defaultImageRule(),
        price_source: custom?.price_source ?? ('default' as const),
        price_updated_by: custom?.price_updated_by ?? null,
        price_updated_by_name: custom?.price_updated_by_name ?? null,
        price_updated_at: custom?.price_updated_at ?? null,
      };
    };
    const common = {
      aspect_ratios: IMAGE_RATIOS,
      resolutions: ['1K', '2K', '4K'],
      max_batch_size: 4,
      max_reference_images: this.deps.maxReferenceImages,
    };
    return [
      {
        model_uuid: this.deps.defaultModel,
        provider: 'jimeng' as const,
        is_default: true,
        ...common,
        ...priced(this.deps.defaultModel),
      },
      ...this.deps.geminiModels.map((model) => ({
        model_uuid: model,
        provider: 'gemini' as const,
        is_default: false,
        ...common,
        ...priced(model),
      })),
    ];
  }

  private async page(
    query: HistoryQuery,
    scope: Omit<AnimeTaskFilter, 'statuses'>,
    options = { staffView: false },
  ) {
    const page = Math.max(1, Math.trunc(query.page));
    const limit = Math.min(100, Math.max(1, Math.trunc(query.limit)));
    const statuses: TaskStatus[] | undefined =
      query.status === 'failed' ? ['failed', 'cancelled'] : query.status ? [query.status] : undefined;
    const { rows, total: count } = await this.deps.tasks.page(
      { ...scope, ...(statuses ? { statuses } : {}) },
      limit,
      (page - 1) * limit,
    );
    const assets = await this.deps.tasks.outputsOf(rows.map((row) => row.id));
    const totalPages = Math.ceil(count / limit);
    return {
      records: rows.map((row) =>
        this.record(
          row,
          assets.filter((asset) => asset.task_id === row.id),
          options.staffView,
        ),
      ),
      pagination: { page, limit, total: count, totalPages, hasNext: page < totalPages, hasPrev: page > 1 },
    };
  }

  /** `staffView` adds `error_detail`, the provider's own text, which members never see. */
  private record(row: GenerationTaskRecord, assets: MediaAssetRecord[], staffView = false) {
    const params = JSON.parse(row.params) as ImageTaskParams;
    const status: string =
      row.status === 'cancelled' ? 'failed' : row.status === 'partial' ? 'completed' : row.status;
    // Contracts 000/001: errors are English; the stable code and message come from one table.
    const failure = status === 'failed' ? memberFacingFailure(row.error_code) : null;
    return {
      generation_uuid: row.id,
      user_id: row.user_id,
      gen_type:
        row.source === 'anime-video'
          ? 'video'
          : ((params.request?.gen_type as string | undefined) ?? 'anime'),
      status,
      prompt: row.prompt,
      model: row.model,
      aspect_ratio: params.ratio,
      image_resolution: (params.request?.image_resolution as string | undefined) ?? null,
      batch_size: row.requested_count,
      credits_used: Number(row.credits_used),
      error_code: failure?.code ?? null,
      error_message: failure?.message ?? null,
      ...(staffView ? { error_detail: failure ? ((row.error_message as string | null) ?? null) : null } : {}),
      visibility_level: String(row.visibility),
      created_at: new Date(row.created_at).toISOString(),
      images: assets.map((asset) => {
        const view = this.deps.media.view(asset);
        return {
          id: view.id,
          image_url: view.url,
          thumbnail_url: view.thumbnailUrl,
          width: view.width,
          height: view.height,
          mime: view.mime,
        };
      }),
      /** Every setting of the request, so reuse restores it exactly (aspect ratio included). */
      params: params.request ?? {},
    };
  }

  /** Reuse: the previous generation's request is the base; fields given now override it. */
  private async withReused(actor: Actor, body: ImageRequestInput): Promise<ImageRequestInput> {
    const id = body.gen_image_id!;
    let task = await this.deps.tasks.task(id);
    if (!task) {
      const asset = await this.deps.tasks.asset(id);
      if (asset?.task_id) task = await this.deps.tasks.task(asset.task_id);
    }
    if (!task || task.user_id !== actor.id || task.source !== 'anime')
      throw new AppError('GENERATION_NOT_FOUND', 'Generation to reuse not found', { status: 404 });
    const previous = { ...(JSON.parse(task.params) as ImageTaskParams).request } as ImageRequestInput &
      Record<string, unknown>;
    delete previous.reference_storage_keys;
    const given = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    return { ...previous, ...given };
  }

  /** `model_uuid` picks the provider: Jimeng's pool for `jimeng-*`, Gemini for its configured models. */
  private model(modelUuid: string | undefined): { provider: string; model: string } {
    if (!modelUuid) return { provider: 'jimeng', model: this.deps.defaultModel };
    if (/^jimeng-[0-9.]+$/.test(modelUuid)) return { provider: 'jimeng', model: modelUuid };
    if (this.deps.geminiModels.includes(modelUuid)) return { provider: 'gemini', model: modelUuid };
    throw new AppError('MODEL_NOT_FOUND', `Unknown model ${modelUuid}`, { status: 400 });
  }

  /** Only the caller's own characters; their image prompt (or description) joins the prompt. */
  private async characters(actor: Actor, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    if (ids.length > 4) throw new ValidationError('character_uuids takes at most 4 characters');
    const found = await this.deps.promptRepository.characters(ids);
    return ids.map((id) => {
      const character = found.find((row) => row.id === id);
      if (!character || character.user_id !== actor.id)
        throw new AppError('CHARACTER_NOT_FOUND', `Character ${id} not found`, { status: 404 });
      return `${character.name}: ${(character.image_prompt || character.description).slice(0, 400)}`;
    });
  }

  /** Downloads each reference safely and keeps a copy, which the provider then reads from us. */
  private async references(actor: Actor, urls: string[]): Promise<Array<{ key: string; url: string }>> {
    if (urls.length > this.deps.maxReferenceImages)
      throw new ValidationError(`reference_image_urls takes at most ${this.deps.maxReferenceImages} images`);
    const stored: Array<{ key: string; url: string }> = [];
    for (const url of urls) {
      // Our own media is copied as stored; a fetched image is kept only re-encoded (pixels, nothing else).
      const image =
        (await this.deps.ownMedia?.read(actor, url)) ??
        (await sanitizeReference(await this.deps.fetcher.fetch(url)));
      const key = `references/${actor.id}/${this.deps.ids.uuid()}.${image.mime.split('/')[1]}`;
      await this.deps.storage.put(key, image.data, image.mime);
      stored.push({ key, url: this.deps.media.urlFor(key) });
    }
    return stored;
  }
}

/** A downloaded reference decoded and re-encoded, or REFERENCE_IMAGE_REFUSED saying why not. */
async function sanitizeReference(image: FetchedImage): Promise<FetchedImage> {
  try {
    const clean = await sanitizeImage(image.data);
    return { data: clean.data, mime: clean.mime };
  } catch (error) {
    if (!(error instanceof ImageRejectedError)) throw error;
    throw new ReferenceRefusedError(
      error.reason === 'too_large'
        ? `reference image is too large: ${error.message}`
        : 'reference image could not be decoded as a complete PNG, JPEG, WebP or GIF image',
    );
  }
}
