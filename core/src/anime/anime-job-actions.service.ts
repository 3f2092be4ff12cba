import { AppError } from '../errors.js';
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import type { TaskFacts } from '../generation/generation.service.js';
import type { Actor } from '../identity/actor.js';
import type { MediaService } from '../media/media.service.js';
import type { AnimeImageService } from './anime-image.service.js';
import type { AnimeTaskRepository } from './anime-task.repository.js';
import type { AnimeVideoService, VideoRequestInput } from './anime-video.service.js';

/** What a member can do with one of their finished generations from its job card. */
export type MemberAction = 'reroll' | 'variation' | 'upscale';

/** A generation started by a card action; the member's prompt is what the new card shows. */
export interface ActionStarted {
  generation_uuid: string;
  status: 'pending' | 'processing';
  kind: 'image' | 'video';
  prompt: string;
  /** Charged at creation (video quotes); images report their charge through the status. */
  credits_cost?: number;
}

interface Deps {
  tasks: Pick<AnimeTaskRepository, 'task' | 'outputs'>;
  image: AnimeImageService;
  video: AnimeVideoService;
  media: MediaService;
  maxReferenceImages: number;
}

const UPSCALE_RESOLUTION = '4K';

/**
 * Job card actions, server-side so they survive bot restarts and work from any bot process:
 * the card's button names only the generation, and the stored parameters (contract 000 v1.1
 * reuse) are run again. Only the generation's owner may act on it; each action is a normal,
 * charged create-task.
 *
 * - reroll: the same parameters again (images through `gen_image_id` reuse; videos from the
 *   stored request), aspect ratio, resolution, presets, references and batch size included.
 * - variation: the same parameters plus the chosen output as the first reference image.
 * - upscale: one image at 4K with the chosen output as the only reference (Jimeng composition,
 *   Gemini inline image with imageSize 4K); offered only where the model renders 4K and the
 *   generation was below 4K.
 */
export class AnimeJobActionsService {
  constructor(private readonly deps: Deps) {}

  async reroll(actor: Actor, generationId: string): Promise<ActionStarted> {
    const task = await this.ownTask(actor, generationId);
    if (task.source === 'anime-video') {
      const created = await this.deps.video.createTask(actor, this.videoInput(task));
      return {
        generation_uuid: created.generation_uuid,
        status: created.status,
        kind: 'video',
        prompt: task.prompt,
        credits_cost: created.credits_cost,
      };
    }
    return this.image(actor, task, { gen_image_id: task.id });
  }

  async variation(actor: Actor, generationId: string, imageIndex: number): Promise<ActionStarted> {
    const task = await this.ownTask(actor, generationId, 'anime');
    const output = await this.outputUrl(task, imageIndex);
    const previous = (this.request(task).reference_image_urls as string[] | undefined) ?? [];
    const references = [output, ...previous.filter((url) => url !== output)].slice(
      0,
      this.deps.maxReferenceImages,
    );
    return this.image(actor, task, { gen_image_id: task.id, reference_image_urls: references });
  }

  async upscale(actor: Actor, generationId: string, imageIndex: number): Promise<ActionStarted> {
    const task = await this.ownTask(actor, generationId, 'anime');
    if (!this.upscalable(task))
      throw new AppError(
        'UPSCALE_NOT_SUPPORTED',
        `Upscaling is not available for this generation (${task.model}, ${this.resolution(task)})`,
        { status: 400 },
      );
    const output = await this.outputUrl(task, imageIndex);
    return this.image(actor, task, {
      gen_image_id: task.id,
      reference_image_urls: [output],
      image_resolution: UPSCALE_RESOLUTION,
      batch_size: 1,
    });
  }

  /** The actions the member's card should offer for a generation (none for other members). */
  async available(actor: Actor, generationId: string): Promise<MemberAction[]> {
    const task = await this.deps.tasks.task(generationId);
    return task ? this.availableFor(actor, task) : [];
  }

  /**
   * {@link available} for a task already read (e.g. the status read's snapshot, TaskFacts).
   * `remember`: the task is a shared snapshot that is replaced when the task changes, so the
   * answer (which reads the stored request) is kept on it for the next poll.
   */
  availableFor(actor: Actor, task: TaskFacts, remember = false): MemberAction[] {
    if (task.user_id !== actor.id) return [];
    if (!remember) return this.ownerActions(task);
    let known = this.remembered.get(task);
    if (!known) this.remembered.set(task, (known = this.ownerActions(task)));
    return [...known];
  }

  /** Answers of availableFor by snapshot; a snapshot dropped from memory takes its answer along. */
  private readonly remembered = new WeakMap<TaskFacts, MemberAction[]>();

  private ownerActions(task: TaskFacts): MemberAction[] {
    if (task.source === 'anime-video') return ['reroll'];
    if (task.source !== 'anime') return [];
    const actions: MemberAction[] = ['reroll'];
    const finished = task.status === 'completed' || task.status === 'partial';
    if (finished && task.completed_count > 0) {
      actions.push('variation');
      if (this.upscalable(task)) actions.push('upscale');
    }
    return actions;
  }

  private async image(
    actor: Actor,
    task: GenerationTaskRecord,
    input: Parameters<AnimeImageService['createTask']>[1],
  ): Promise<ActionStarted> {
    const created = await this.deps.image.createTask(actor, input);
    const request = this.request(task);
    const prompt =
      (request.prompt as string | undefined) ??
      [request.template_prompt, request.user_prompt].filter(Boolean).join(', ');
    return {
      generation_uuid: created.generation_uuid,
      status: created.status,
      kind: 'image',
      prompt: prompt || task.prompt,
    };
  }

  /** Members act only on their own anime generations; anything else is "not found" to them. */
  private async ownTask(actor: Actor, id: string, source?: 'anime'): Promise<GenerationTaskRecord> {
    const task = await this.deps.tasks.task(id);
    const sources = source ? [source] : ['anime', 'anime-video'];
    if (!task || task.user_id !== actor.id || !sources.includes(task.source))
      throw new AppError('GENERATION_NOT_FOUND', 'Generation not found', { status: 404 });
    return task;
  }

  /** The public URL of output `index` (0-based, in output order); read back from storage as a reference. */
  private async outputUrl(task: GenerationTaskRecord, index: number): Promise<string> {
    const assets = await this.deps.tasks.outputs(task.id);
    const asset = assets[index];
    if (!asset || !asset.mime.startsWith('image/'))
      throw new AppError('IMAGE_NOT_FOUND', `The generation has no image ${index + 1}`, { status: 404 });
    return this.deps.media.urlFor(asset.storage_key);
  }

  /**
   * Jimeng renders 1k/2k/4k; Gemini's imageSize works on the 3 Pro image model but not on
   * gemini-2.5-flash-image, which always answers at 1K.
   */
  private upscalable(task: TaskFacts): boolean {
    if (this.resolution(task) === UPSCALE_RESOLUTION) return false;
    if (task.provider === 'jimeng') return true;
    return task.provider === 'gemini' && !/2\.5-flash-image/.test(task.model);
  }

  private resolution(task: Pick<TaskFacts, 'params'>): string {
    const request = this.request(task);
    return String(request.image_resolution ?? '2K').toUpperCase();
  }

  private request(task: Pick<TaskFacts, 'params'>): Record<string, unknown> {
    return (JSON.parse(task.params) as ImageTaskParams).request ?? {};
  }

  /** A video generation's stored request back as create-task input: every setting is reused. */
  private videoInput(task: GenerationTaskRecord): VideoRequestInput {
    const request = this.request(task);
    const optional = <T>(value: unknown) =>
      value === null || value === undefined ? undefined : (value as T);
    return {
      prompt: task.prompt,
      model_id: String(request.model_id),
      aspect_ratio: optional<string>(request.aspect_ratio),
      duration_seconds: optional<number>(request.duration_seconds),
      resolution: optional<string>(request.resolution),
      mode: optional<string>(request.mode),
      multi_shots: optional<boolean>(request.multi_shots),
      reference_image_urls: optional<string[]>(request.reference_image_urls),
      motion: optional<string>(request.motion),
      style_preset: optional<string>(request.style_preset),
      character_uuid: optional<string>(request.character_uuid),
      visibility_level: optional<'public' | 'private'>(request.visibility_level),
    };
  }
}
