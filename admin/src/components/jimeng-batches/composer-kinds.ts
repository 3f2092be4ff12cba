import type { BatchType } from './types';

/** The four batches the composer submits (contract 003 §9.1–9.4), by their short names. */
export const COMPOSER_KINDS = ['t2i', 'i2i', 't2v', 'i2v'] as const;
export type ComposerKind = (typeof COMPOSER_KINDS)[number];

export interface ComposerKindSpec {
  batchType: BatchType;
  /** The server's route (server/src/routes/jimeng-studio.routes.ts). */
  path: string;
  media: 'image' | 'video';
  /** How many input_images each storyboard needs: none for text-to-*, 1–10 for i2i, 1–2 frames for i2v. */
  images: { min: number; max: number };
}

export const COMPOSER_KIND_SPECS: Record<ComposerKind, ComposerKindSpec> = {
  t2i: {
    batchType: 'image_generate',
    path: '/api/v1/jimeng/images/batch-generate',
    media: 'image',
    images: { min: 0, max: 0 },
  },
  i2i: {
    batchType: 'image_compose',
    path: '/api/v1/jimeng/images/batch-compose',
    media: 'image',
    images: { min: 1, max: 10 },
  },
  t2v: {
    batchType: 'video_generate',
    path: '/api/v1/jimeng/videos/batch-generate',
    media: 'video',
    images: { min: 0, max: 0 },
  },
  i2v: {
    batchType: 'video_compose',
    path: '/api/v1/jimeng/videos/batch-compose',
    media: 'video',
    images: { min: 1, max: 2 },
  },
};

/**
 * The server's default batch limits (`BATCH_MAX_IMAGE_ITEMS`, `BATCH_MAX_VIDEO_ITEMS`). A server
 * configured lower still refuses with a 400, which the composer shows as a notification.
 */
export const BATCH_MAX_ITEMS = { image: 100, video: 50 } as const;

/** The values the server accepts (jimeng-studio.routes.ts); the composer checks rows against them. */
export const RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
export const RESOLUTIONS = ['1k', '2k', '4k', '720p', '1080p'] as const;
export const DURATIONS = [5, 10] as const;
export const MODEL_PATTERN = /^jimeng-[a-z0-9.-]+$/;
export const STRATEGIES = ['least_used', 'round_robin', 'priority'] as const;
export const EXISTING_RECORDS = ['overwrite', 'skip'] as const;
export const PRIORITIES = [1, 2, 3, 4] as const;
