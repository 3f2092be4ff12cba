import type { DreamloomModels, GenerationTaskRow } from '../adapters/sequelize/models.js';
import type { DelegatedTaskRunner, GenerationProcessor } from '../generation/generation.processor.js';
import {
  TaskEvents,
  taskRoom,
  type ImageTaskParams,
  type TaskProgressEvent,
} from '../generation/generation.types.js';
import type { MediaService } from '../media/media.service.js';
import type { BlobStorage } from '../ports/blob-storage.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import { ProviderError, type ImageProvider } from '../ports/image-provider.port.js';
import { sniffMime } from '../media/media.service.js';
import { failOnProviderError } from './fail-on-provider-error.js';

/** Marks contract 000 tasks this runner owns (Gemini through a configured key, not a caller's). */
export const ANIME_GEMINI_SOURCE = 'anime';

interface Deps {
  models: DreamloomModels;
  gemini: ImageProvider;
  processor: GenerationProcessor;
  media: MediaService;
  storage: BlobStorage;
  events: EventBus;
  clock: Clock;
  apiKey: string;
  maxAttempts: number;
}

/**
 * Contract 000 images on Gemini (`model_uuid` = a Gemini image model). Gemini answers in one
 * synchronous call per image, so this runs like the engine's default path: one call per missing
 * output position, transient failures retried a few times, outputs stored as they arrive (a
 * re-delivered job continues where a crashed one stopped).
 */
export class GeminiImageRunner implements DelegatedTaskRunner {
  constructor(private readonly deps: Deps) {}

  handles(task: GenerationTaskRow): boolean {
    return task.provider === 'gemini' && task.source === ANIME_GEMINI_SOURCE;
  }

  async run(task: GenerationTaskRow, signal: AbortSignal): Promise<void> {
    const params = JSON.parse(task.params) as ImageTaskParams;
    const now = this.deps.clock.now();
    await task.update({ status: 'processing', started_at: task.started_at ?? now, updated_at: now });
    try {
      const inlineImages = await this.references(params);
      let stored = await this.deps.models.MediaAsset.count({ where: { task_id: task.id } });
      let failures = 0;
      while (stored < task.requested_count) {
        await this.progress(task.id, 10 + Math.round((80 * stored) / task.requested_count), 'Generating');
        let refs;
        try {
          refs = await this.deps.gemini.generateImages(
            this.deps.apiKey,
            {
              model: task.model,
              prompt: task.prompt,
              ratio: params.ratio,
              resolution: params.resolution.toUpperCase(),
              inlineImages,
            },
            signal,
          );
        } catch (error) {
          if (!(error instanceof ProviderError) || signal.aborted) throw error;
          failures += 1;
          await task.update({
            attempts: task.attempts + 1,
            error_message: `${error.kind}: ${error.message}`.slice(0, 1024),
          });
          if (!error.retryElsewhere || failures >= this.deps.maxAttempts) throw error;
          continue;
        }
        for (const ref of refs) {
          if (stored >= task.requested_count) break;
          await this.deps.media.ingestTaskOutput(
            { taskId: task.id, userId: task.user_id, position: stored, kind: 'image', ref, knownNew: true },
            signal,
          );
          stored += 1;
          await task.update({ completed_count: stored, updated_at: this.deps.clock.now() });
        }
      }
      await this.deps.processor.completeExternally(task);
    } catch (error) {
      if (signal.aborted) {
        await this.deps.processor.failExternally(task, 'cancelled', 'CANCELLED', 'Cancelled');
        return;
      }
      await failOnProviderError(this.deps.processor, task, error);
    }
  }

  /** Reference images were copied into storage at create time; Gemini takes them inline. */
  private async references(params: ImageTaskParams): Promise<{ mime: string; data: Buffer }[]> {
    const keys = (params.request?.reference_storage_keys as string[] | undefined) ?? [];
    const images: { mime: string; data: Buffer }[] = [];
    for (const key of keys) {
      const data = await this.deps.storage.get(key);
      images.push({ mime: sniffMime(data) ?? 'image/png', data });
    }
    return images;
  }

  private async progress(taskId: string, progress: number, message: string): Promise<void> {
    const payload: TaskProgressEvent = { taskId, status: 'processing', progress, message };
    await this.deps.events.publish({ room: taskRoom(taskId), name: TaskEvents.progress, payload });
  }
}
