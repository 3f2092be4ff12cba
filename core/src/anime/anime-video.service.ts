import { AppError, ForbiddenError, ValidationError } from '../errors.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { DEFAULT_TASK_PRIORITY, type GenerationService } from '../generation/generation.service.js';
import type { IdGenerator } from '../shared/ids.js';
import type { VideoTaskRequest } from './anime.types.js';
import type { VideoModelConfig } from './video-models.js';
import { createChargedTask, type ChargedTaskDeps } from './charged-task-creation.js';
import type { AnimePromptRepository } from './anime-prompt.repository.js';
import { videoUnitPrice, type ModelPricesService, type VideoPriceRule } from './model-prices.service.js';
import type { OwnMediaReader } from './own-media.reader.js';
import type { OutboundPolicy } from '../shared/outbound/outbound-policy.js';
import { assertReferenceAllowed } from './reference-fetcher.js';

/** Contract 001's request fields (create-task and quote share them). */
export interface VideoRequestInput {
  prompt?: string;
  model_id: string;
  aspect_ratio?: string;
  task_subtype?: 'text_to_video' | 'image_to_video';
  duration_seconds?: number;
  resolution?: string;
  mode?: string;
  multi_shots?: boolean;
  motion?: string;
  style_preset?: string;
  reference_image_url?: string;
  reference_image_urls?: string[];
  character_uuid?: string;
  visibility_level?: 'public' | 'private';
}

export interface VideoQuote {
  estimated_credits: number;
  explain: string;
}

export interface VideoTaskCreated {
  generation_uuid: string;
  status: 'processing';
  estimated_time: number;
  credits_cost: number;
  message: string;
}

export class ModelNotFoundError extends AppError {
  constructor(modelId: string) {
    super('MODEL_NOT_FOUND', `Unknown model ${modelId}`, { status: 400 });
  }
}

interface Deps extends ChargedTaskDeps {
  /** Who owns the character a video names. */
  promptRepository: Pick<AnimePromptRepository, 'characterOwner'>;
  generation: GenerationService;
  ids: IdGenerator;
  videoModels: VideoModelConfig[];
  /** Staff-set price rules (the model's configured price until one is set). */
  prices: ModelPricesService;
  /** Frames that are Dreamloom media must exist, be images and be the member's to use. */
  ownMedia?: OwnMediaReader;
  /** Every other frame must pass the outbound (SSRF) policy: kie downloads it on our say-so. */
  outbound?: OutboundPolicy;
}

interface Normalized {
  model: VideoModelConfig;
  request: VideoTaskRequest;
}

/** Contract 001: quote, validate and create video generations (charged in the creating transaction). */
export class AnimeVideoService {
  constructor(private readonly deps: Deps) {}

  listModels(): VideoModelConfig[] {
    return this.deps.videoModels;
  }

  async quote(input: VideoRequestInput): Promise<VideoQuote> {
    const { model, request } = this.normalize(input);
    return this.price(model, await this.deps.prices.videoRule(model), request);
  }

  async createTask(actor: Actor, input: VideoRequestInput): Promise<VideoTaskCreated> {
    const prompt = input.prompt?.trim() ?? '';
    if (!prompt) throw new ValidationError('prompt is required');
    if (prompt.length > 5000) throw new ValidationError('prompt must be at most 5000 characters');
    const { model, request } = this.normalize(input);
    if (input.visibility_level === 'private' && !hasRole(actor, 'pro'))
      throw new ForbiddenError('Private generations need a Pro membership');
    if (input.character_uuid) await this.checkCharacter(actor, input.character_uuid);
    // The provider downloads frames itself: our own media needs the access check, any other URL
    // the outbound policy's (no private or local address in any spelling), before anything is charged.
    for (const url of request.reference_image_urls) {
      const own = await this.deps.ownMedia?.locate(actor, url);
      if (!own && this.deps.outbound) await assertReferenceAllowed(this.deps.outbound, url);
    }
    const quote = this.price(model, await this.deps.prices.videoRule(model), request);
    const taskId = this.deps.ids.uuid();
    await createChargedTask(this.deps, actor, {
      task: {
        id: taskId,
        userId: actor.id,
        source: 'anime-video',
        kind: 'video',
        provider: model.provider,
        model: request.reference_image_urls.length
          ? model.upstream.image_to_video
          : model.upstream.text_to_video,
        prompt,
        params: {
          ratio: request.aspect_ratio,
          resolution: request.resolution ?? '',
          duration: request.duration_seconds,
          frames: request.reference_image_urls,
          request: {
            ...request,
            motion: input.motion,
            style_preset: input.style_preset,
            character_uuid: input.character_uuid,
            visibility_level: input.visibility_level ?? 'public',
          },
        },
        count: 1,
        priority: DEFAULT_TASK_PRIORITY,
      },
      visibility: input.visibility_level ?? 'public',
      credits: quote.estimated_credits,
      note: quote.explain,
    });
    await this.deps.generation.publishProgress({ taskId, status: 'pending', progress: 0, message: 'Queued' });
    return {
      generation_uuid: taskId,
      status: 'processing',
      estimated_time: model.estimatedSeconds,
      credits_cost: quote.estimated_credits,
      message: 'Generation task created successfully',
    };
  }

  private async checkCharacter(actor: Actor, characterId: string): Promise<void> {
    const owner = await this.deps.promptRepository.characterOwner(characterId);
    if (!owner || owner.user_id !== actor.id)
      throw new AppError('CHARACTER_NOT_FOUND', 'Character not found', { status: 404 });
  }

  /** Applies defaults and contract 001's rules; every violation is a 400 naming the field. */
  private normalize(input: VideoRequestInput): Normalized {
    const model = this.deps.videoModels.find((each) => each.id === input.model_id);
    if (!model) throw new ModelNotFoundError(input.model_id);
    const ratio = input.aspect_ratio ?? (model.ratios.includes('16:9') ? '16:9' : model.ratios[0]!);
    if (!model.ratios.includes(ratio))
      throw new ValidationError(`${model.name} supports aspect_ratio ${model.ratios.join(', ')}`);
    const duration = input.duration_seconds ?? model.durations[0]!;
    if (!model.durations.includes(duration))
      throw new ValidationError(`${model.name} supports duration_seconds ${model.durations.join(', ')}`);
    let resolution: string | null = null;
    if (model.resolutions.length) {
      resolution = input.resolution ?? model.resolutions[0]!;
      if (!model.resolutions.includes(resolution))
        throw new ValidationError(`${model.name} supports resolution ${model.resolutions.join(', ')}`);
    } else if (input.resolution !== undefined) {
      throw new ValidationError(`${model.name} takes no resolution`);
    }
    let mode: string | null = null;
    if (model.modes.length) {
      mode = input.mode ?? model.modes[0]!;
      if (!model.modes.includes(mode))
        throw new ValidationError(`${model.name} supports mode ${model.modes.join(', ')}`);
    } else if (input.mode !== undefined) {
      throw new ValidationError(`${model.name} takes no mode`);
    }
    const images = [...(input.reference_image_urls ?? [])];
    if (input.reference_image_url && !images.includes(input.reference_image_url))
      images.unshift(input.reference_image_url);
    for (const url of images) {
      if (!/^https?:\/\/[^\s]+$/i.test(url))
        throw new ValidationError('reference images must be http(s) URLs');
    }
    if (images.length > model.maxReferenceImages) {
      throw new ValidationError(
        `${model.name} accepts at most ${model.maxReferenceImages} reference image${model.maxReferenceImages === 1 ? '' : 's'}`,
      );
    }
    const multiShots = input.multi_shots ?? false;
    if (multiShots && !model.supportsMultiShots)
      throw new ValidationError(`${model.name} does not support multi_shots`);
    if (multiShots && images.length !== 1)
      throw new ValidationError('multi_shots requires exactly one first-frame image in reference_image_urls');
    if (input.task_subtype === 'image_to_video' && images.length === 0)
      throw new ValidationError('image_to_video needs a reference image');
    const subtype = images.length ? 'image_to_video' : 'text_to_video';
    return {
      model,
      request: {
        model_id: model.id,
        task_subtype: subtype,
        aspect_ratio: ratio,
        duration_seconds: duration,
        resolution,
        mode,
        multi_shots: multiShots,
        reference_image_urls: multiShots ? images.slice(0, 1) : images,
        input_style: model.input,
      },
    };
  }

  private price(model: VideoModelConfig, rule: VideoPriceRule, request: VideoTaskRequest): VideoQuote {
    const parts = [`${model.name} (${model.id})`];
    if (request.resolution) parts.push(request.resolution);
    if (request.mode) parts.push(`mode ${request.mode}`);
    parts.push(`${request.duration_seconds} s`);
    const variant = request.resolution ?? request.mode ?? '*';
    const credits = videoUnitPrice(rule, variant, request.duration_seconds);
    if (credits === undefined)
      throw new ValidationError(`${model.name} has no price for ${parts.slice(1).join(', ')}`);
    // The contract's rule behind a default price is stated while no staff price replaces it.
    const isDefault = JSON.stringify(rule) === JSON.stringify(model.price);
    const why = isDefault && model.priceRule ? ` (${model.priceRule})` : '';
    return { estimated_credits: credits, explain: `${parts.join(', ')}: ${credits} MC${why}` };
  }
}
