import type { MediaAssetRecord } from '../../media/media-asset.js';
import { sniffMime } from '../../media/media.service.js';
import type { BlobStorage } from '../../ports/blob-storage.port.js';
import type { Clock } from '../../ports/clock.port.js';
import {
  ProviderError,
  type GeneratedAssetRef,
  type ImageProvider,
} from '../../ports/image-provider.port.js';
import type { ImageTaskParams } from '../generation.types.js';
import type { GenerationTaskRecord } from '../engine/repositories.js';
import type { StoredOutputs, SyncRun, SyncStrategy } from '../engine/strategy.js';

/** Marks contract 000 tasks this strategy owns (Gemini through a configured key, not a caller's). */
export const ANIME_GEMINI_SOURCE = 'anime';

interface Deps {
  gemini: ImageProvider;
  storage: BlobStorage;
  clock: Clock;
  /** The configured key (ANIME_GEMINI_API_KEY). */
  apiKey: string;
  /** Failed calls one task may make before it fails. */
  maxAttempts: number;
}

/**
 * Synchronous: contract 000 images on Gemini (`model_uuid` = a Gemini image model). Gemini answers
 * in one call per image: one call per missing output position, transient failures retried a few
 * times with the same key, outputs stored as they arrive (a re-delivered job continues where a
 * crashed one stopped).
 */
export class GeminiImageStrategy implements SyncStrategy {
  readonly shape = 'sync' as const;
  readonly name = 'gemini-image';

  constructor(private readonly deps: Deps) {}

  handles(task: GenerationTaskRecord): boolean {
    return task.provider === 'gemini' && task.source === ANIME_GEMINI_SOURCE;
  }

  async generate(run: SyncRun): Promise<StoredOutputs> {
    const { task, signal } = run;
    const params = JSON.parse(task.params) as ImageTaskParams;
    const inlineImages = await this.references(params);
    let stored = await run.countOutputs();
    const assets: MediaAssetRecord[] | null = stored === 0 ? [] : null;
    let failures = 0;
    while (stored < task.requested_count) {
      await run.progress(10 + Math.round((80 * stored) / task.requested_count), 'Generating');
      let refs: GeneratedAssetRef[];
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
        await run.write({
          attempts: task.attempts + 1,
          error_message: `${error.kind}: ${error.message}`.slice(0, 1024),
        });
        if (!error.retryElsewhere || failures >= this.deps.maxAttempts) throw error;
        continue;
      }
      for (const ref of refs) {
        if (stored >= task.requested_count) break;
        assets?.push(await run.store(ref, stored, 'image'));
        stored += 1;
        await run.write({ completed_count: stored, updated_at: this.deps.clock.now() });
      }
    }
    return { count: stored, assets };
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
}
