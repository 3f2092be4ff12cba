import type { Readable } from 'node:stream';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { MediaAssetRepository } from '../media/media-asset.repository.js';
import type { CatalogTables } from './catalog/catalog-table.port.js';
import { activePromptTemplate } from './catalog/active-prompt-template.js';
import { isStaff, type Actor } from '../identity/actor.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { ChatMessageParam } from '../ports/chat-provider.port.js';
import type { IdGenerator } from '../shared/ids.js';
import { ImageRejectedError, sanitizeImage, type SanitizedImage } from '../media/image-sanitizer.js';
import type { GenerationService, TaskView } from '../generation/generation.service.js';
import type { LlmService } from './llm/llm.service.js';
import { sniffAudio } from '../media/audio-sniff.js';
import { DEFAULT_T2I_SIZE, t2iSizeParams } from './t2i-size.js';
import { makeCharacterIcon } from './character-icon.js';

/** Music tracks are larger than pictures: a few minutes of mp3 fit, a whole album does not. */
export const MUSIC_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** Marks an avatar task (in its params' request), whose first output gets a square icon. */
const AVATAR_PURPOSE = 'character_avatar';

interface Deps {
  /** Staff's image prompt instructions (prompt templates `t2i_character`, `t2i_background`). */
  catalogTables: CatalogTables;
  /** Uploads, music and avatar icons are media rows like generated outputs. */
  mediaAssets: Pick<MediaAssetRepository, 'create' | 'byId' | 'byStorageKey' | 'hasStorageKey'>;
  storage: BlobStorage;
  generation: GenerationService;
  llm: LlmService;
  ids: IdGenerator;
  clock: Clock;
  publicUrl: string;
  /** Upload cap (contract: 10 MB). */
  maxUploadBytes: number;
}

export interface T2iTaskView {
  task_id: string;
  status: string;
  progress: number;
  image_prompt?: string;
  image_url: string | null;
  icon_url: string | null;
  images: Array<{ id: string; url: string; thumbnail_url: string | null }>;
  error: string | null;
}

/**
 * Story images: uploads (decoded and re-encoded by sanitizeImage, never stored as sent), public
 * serving by id or filename, and the generated ones — character avatars (the LLM writes the image prompt) and story
 * backgrounds — which run through the one generation engine.
 */
export class StoryMediaService {
  /** Icons being made on this node, by task: concurrent polls share one encode and one row. */
  private readonly iconsInFlight = new Map<string, Promise<string>>();

  constructor(private readonly deps: Deps) {}

  imageUrl(filename: string): string {
    return `${this.deps.publicUrl.replace(/\/$/, '')}/api/v1/images/${filename}`;
  }

  async uploadImage(actor: Actor, file: { data: Buffer; originalName?: string }) {
    if (file.data.length > this.deps.maxUploadBytes)
      throw new AppError('PAYLOAD_TOO_LARGE', `File larger than ${this.deps.maxUploadBytes} bytes`, {
        status: 413,
      });
    // Stored re-encoded: whatever rode along with the pixels (HTML, script, EXIF) is not kept.
    let image: SanitizedImage;
    try {
      image = await sanitizeImage(file.data);
    } catch (error) {
      if (!(error instanceof ImageRejectedError)) throw error;
      throw new ValidationError(
        error.reason === 'too_large'
          ? error.message
          : error.reason === 'unsupported'
            ? 'Only jpg, png, gif and webp images are accepted'
            : 'The image could not be decoded: only complete jpg, png, gif and webp images are accepted',
      );
    }
    const id = this.deps.ids.snowflake();
    const filename = `${this.deps.ids.uuid()}.${image.extension}`;
    const key = `uploads/${filename}`;
    await this.deps.storage.put(key, image.data, image.mime);
    await this.deps.mediaAssets.create({
      id,
      task_id: null,
      user_id: actor.id,
      position: 0,
      kind: 'image',
      storage_key: key,
      thumbnail_key: null,
      mime: image.mime,
      width: image.width,
      height: image.height,
      size_bytes: image.data.length,
      original_name: file.originalName?.slice(0, 255) ?? null,
      created_at: this.deps.clock.now(),
    });
    return { id, url: this.imageUrl(filename), filename };
  }

  /**
   * A music track for the story catalog (staff only): stored as sent — audio is not re-encoded —
   * but only when its bytes are mp3, Ogg, WAVE or FLAC, under a random name, and served from
   * /media/ with the type its bytes say (nosniff, sandboxed), with byte ranges for seeking.
   */
  async uploadMusic(actor: Actor, file: { data: Buffer; originalName?: string }) {
    if (!isStaff(actor)) throw new ForbiddenError('Staff only');
    if (file.data.length > MUSIC_UPLOAD_MAX_BYTES)
      throw new AppError('PAYLOAD_TOO_LARGE', `File larger than ${MUSIC_UPLOAD_MAX_BYTES} bytes`, {
        status: 413,
      });
    const format = sniffAudio(file.data);
    if (!format) throw new ValidationError('Only mp3, ogg, wav and flac audio files are accepted');
    const filename = `${this.deps.ids.uuid()}.${format.extension}`;
    const key = `music/${filename}`;
    await this.deps.storage.put(key, file.data, format.mime);
    await this.deps.mediaAssets.create({
      id: this.deps.ids.snowflake(),
      task_id: null,
      user_id: actor.id,
      position: 0,
      kind: 'audio',
      storage_key: key,
      thumbnail_key: null,
      mime: format.mime,
      width: null,
      height: null,
      size_bytes: file.data.length,
      original_name: file.originalName?.slice(0, 255) ?? null,
      created_at: this.deps.clock.now(),
    });
    return { url: `${this.deps.publicUrl.replace(/\/$/, '')}/media/${key}`, filename };
  }

  /**
   * Opens an image by filename (public, as the contract serves images without authentication:
   * upload names are random UUIDs) or by media id (uploads and generated outputs alike). Media ids
   * are time-ordered snowflakes, guessable from one's own: by id, only for whoever may use the
   * media (mayUseMedia), and 404 for everyone else.
   */
  async openImage(
    idOrFilename: string,
    actor?: Actor,
  ): Promise<{ stream: Readable; size: number; mime: string }> {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(idOrFilename) || idOrFilename.includes('..'))
      throw new NotFoundError('Image');
    const { mediaAssets } = this.deps;
    const byId = await mediaAssets.byId(idOrFilename);
    if (byId && !(await this.deps.generation.mayUseMedia(actor, byId))) throw new NotFoundError('Image');
    const row = byId ?? (await mediaAssets.byStorageKey(`uploads/${idOrFilename}`));
    if (!row || !row.mime.startsWith('image/')) throw new NotFoundError('Image');
    const { stream, size } = await this.deps.storage.stream(row.storage_key);
    return { stream, size, mime: row.mime };
  }

  // ---- generation -------------------------------------------------------------------------------

  private async t2iModel(llmId?: string): Promise<string | undefined> {
    if (!llmId) return undefined;
    const row = await this.deps.llm.findActive(llmId, ['t2i']);
    return row.provider_model;
  }

  private async promptTemplate(type: string): Promise<string | null> {
    return (await activePromptTemplate(this.deps.catalogTables, type))?.content ?? null;
  }

  /** Lets an LLM turn a description into an image prompt (template `t2i_character` etc.). */
  async writeImagePrompt(
    llmId: string | undefined,
    templateType: string,
    facts: Record<string, string | undefined>,
  ) {
    const model = llmId
      ? await this.deps.llm.findActive(llmId, ['chat', 'other'])
      : await this.deps.llm.leastUsed('chat');
    const template =
      (await this.promptTemplate(templateType)) ??
      'Write one English prompt for an anime illustration from the facts below. Reply with the prompt only, under 80 words.';
    const messages: ChatMessageParam[] = [
      { role: 'system', content: template },
      {
        role: 'user',
        content: Object.entries(facts)
          .filter(([, value]) => value)
          .map(([key, value]) => `${key}: ${value}`)
          .join('\n'),
      },
    ];
    const { result } = await this.deps.llm.complete(model, messages, { maxTokens: 300 });
    const prompt = result.content.trim().replace(/^["']|["']$/g, '');
    if (!prompt)
      throw new AppError('upstream_error', 'The model wrote an empty image prompt', { status: 502 });
    return prompt;
  }

  async generateAvatar(
    actor: Actor,
    input: {
      llm_id_for_prompt?: string;
      llm_id_for_t2i?: string;
      art_style_keyword?: string;
      character_description: string;
      personality?: string;
      reference_image_description?: string;
    },
  ): Promise<T2iTaskView> {
    const model = await this.t2iModel(input.llm_id_for_t2i);
    const prompt = await this.writeImagePrompt(input.llm_id_for_prompt, 't2i_character', {
      'Art style': input.art_style_keyword,
      Character: input.character_description,
      Personality: input.personality,
      'Reference image': input.reference_image_description,
    });
    const task = await this.deps.generation.createImageTask(actor, {
      source: 'story',
      prompt,
      model,
      count: 1,
      params: { ratio: '3:4', resolution: '1k', request: { purpose: AVATAR_PURPOSE } },
    });
    return { ...(await this.taskStatus(actor, task.id)), image_prompt: prompt };
  }

  async generateBackground(
    actor: Actor,
    input: { style_keyword?: string; background_description: string; llm_id?: string },
  ): Promise<T2iTaskView> {
    const prompt = await this.writeImagePrompt(input.llm_id, 't2i_background', {
      'Art style': input.style_keyword,
      Scene: input.background_description,
    });
    const task = await this.deps.generation.createImageTask(actor, {
      source: 'story',
      prompt,
      count: 1,
      params: { ratio: '16:9', resolution: '1k' },
    });
    return { ...(await this.taskStatus(actor, task.id)), image_prompt: prompt };
  }

  async submitT2i(
    actor: Actor,
    input: { model_id: string; prompt: string; size?: string },
  ): Promise<T2iTaskView> {
    // The size is checked before the model, so a bad request stores and claims nothing.
    const sizeParams = t2iSizeParams(input.size);
    const model = await this.t2iModel(input.model_id);
    const task = await this.deps.generation.createImageTask(actor, {
      source: 'story',
      prompt: input.prompt,
      model,
      count: 1,
      params: { ...sizeParams, request: { size: input.size ?? DEFAULT_T2I_SIZE } },
    });
    return this.taskStatus(actor, task.id);
  }

  async taskStatus(actor: Actor, taskId: string): Promise<T2iTaskView> {
    const view: TaskView = await this.deps.generation.getTask(actor, taskId);
    const first = view.outputs[0];
    const isAvatar = view.params.request?.purpose === AVATAR_PURPOSE;
    return {
      task_id: view.id,
      status: view.status,
      progress: view.progress,
      image_url: first?.url ?? null,
      icon_url: first && isAvatar ? await this.avatarIcon(view.id, first.id) : (first?.thumbnailUrl ?? null),
      images: view.outputs.map((output) => ({
        id: output.id,
        url: output.url,
        thumbnail_url: output.thumbnailUrl,
      })),
      error: view.errorMessage,
    };
  }

  /**
   * The icon of an avatar: a small square crop (character-icon.ts) stored as its own media (its own
   * file and media row, owned like the avatar), made on the first status read after the avatar
   * arrived and found by its key afterwards.
   */
  private avatarIcon(taskId: string, outputId: string): Promise<string> {
    let pending = this.iconsInFlight.get(taskId);
    if (!pending) {
      pending = this.storeAvatarIcon(taskId, outputId).finally(() => this.iconsInFlight.delete(taskId));
      this.iconsInFlight.set(taskId, pending);
    }
    return pending;
  }

  private async storeAvatarIcon(taskId: string, outputId: string): Promise<string> {
    const { mediaAssets } = this.deps;
    const key = `icons/${taskId}.webp`;
    const url = `${this.deps.publicUrl.replace(/\/$/, '')}/media/${key}`;
    if (await mediaAssets.hasStorageKey(key)) return url;
    const avatar = await mediaAssets.byId(outputId);
    if (!avatar) throw new NotFoundError('Image');
    const icon = await makeCharacterIcon(await this.deps.storage.get(avatar.storage_key));
    await this.deps.storage.put(key, icon.data, 'image/webp');
    await mediaAssets.create({
      id: this.deps.ids.snowflake(),
      task_id: null,
      user_id: avatar.user_id,
      position: 0,
      kind: 'image',
      storage_key: key,
      thumbnail_key: key,
      mime: 'image/webp',
      width: icon.size,
      height: icon.size,
      size_bytes: icon.data.length,
      original_name: null,
      created_at: this.deps.clock.now(),
    });
    return url;
  }

  /** A vision model describes images (contract `/ai/i2t/chat/completions`). */
  async describeImage(input: { model_id: string; messages: ChatMessageParam[] }) {
    const model = await this.deps.llm.findActive(input.model_id, ['i2t']);
    const { result, model: used } = await this.deps.llm.complete(model, input.messages);
    return { result, model: used };
  }
}
