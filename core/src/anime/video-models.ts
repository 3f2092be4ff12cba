import { z } from 'zod';

/**
 * Contract 001's video models as configuration: which provider serves a model id, the upstream
 * model ids (kie.ai's ids for Wan 2.5 and Sora-2 Pro are not public, so they live here, not in
 * code paths), what a request may ask for, and how it is priced. `ANIME_VIDEO_MODELS` (JSON, the
 * same shape) replaces the defaults.
 */
export const videoModelSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  provider: z.string().min(1),
  /** Upstream model id per task subtype. */
  upstream: z.object({ text_to_video: z.string().min(1), image_to_video: z.string().min(1) }),
  ratios: z.array(z.string()).min(1),
  durations: z.array(z.number().int().positive()).min(1),
  /** Empty: the model takes no resolution. */
  resolutions: z.array(z.string()),
  /** Empty: the model takes no mode. */
  modes: z.array(z.string()),
  /** Most reference images (first frame, last frame) accepted. */
  maxReferenceImages: z.number().int().min(0),
  supportsMultiShots: z.boolean().default(false),
  /** Upstream input shape: how ratio, duration and images are named for this model. */
  input: z.enum(['wan', 'kling', 'kling3', 'sora']),
  /**
   * Price in MC. `table` keys are `<resolution|mode|*>:<duration|*>`, the most specific match
   * wins; `perSeconds` scales a base price by duration / perSeconds.
   */
  price: z.union([
    z.object({ type: z.literal('table'), table: z.record(z.string(), z.number().int().min(0)) }),
    z.object({ type: z.literal('flat'), credits: z.number().int().min(0) }),
  ]),
  estimatedSeconds: z.number().int().positive().default(60),
  /** How the default price follows from the contract, added to the quote's `explain` while it applies. */
  priceRule: z.string().optional(),
});
export type VideoModelConfig = z.infer<typeof videoModelSchema>;

export const DEFAULT_VIDEO_MODELS: VideoModelConfig[] = [
  {
    id: 'wan/2.5',
    name: 'Wan 2.5',
    provider: 'kie',
    upstream: { text_to_video: 'wan/2-5-text-to-video', image_to_video: 'wan/2-5-image-to-video' },
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: ['720p', '1080p'],
    modes: [],
    maxReferenceImages: 1,
    supportsMultiShots: false,
    input: 'wan',
    price: { type: 'table', table: { '720p:5': 300, '720p:10': 600, '1080p:5': 500, '1080p:10': 1000 } },
    estimatedSeconds: 120,
  },
  {
    id: 'kling/video-v2.5',
    name: 'Kling 2.5',
    provider: 'kie',
    upstream: {
      text_to_video: 'kling/v2-5-turbo-text-to-video-pro',
      image_to_video: 'kling/v2-5-turbo-image-to-video-pro',
    },
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: ['720p', '1080p'],
    modes: [],
    maxReferenceImages: 1,
    supportsMultiShots: false,
    input: 'kling',
    // Contract 001 lists 210 MC as the base: kie.ai charges Kling 2.5 per 5 s (42 credits, × 5 like
    // Kling 3.0's "KIE credit * 5"), so 10 s is twice the base.
    price: { type: 'table', table: { '*:5': 210, '*:10': 420 } },
    priceRule: 'contract base 210 MC covers 5 s; kie.ai bills Kling 2.5 per 5 s, so 10 s = 2 × 210 MC',
    estimatedSeconds: 120,
  },
  {
    id: 'kling-3.0/video',
    name: 'Kling 3.0',
    provider: 'kie',
    upstream: { text_to_video: 'kling-3.0/video', image_to_video: 'kling-3.0/video' },
    ratios: ['1:1', '9:16', '16:9'],
    durations: [5, 10],
    resolutions: [],
    modes: ['std', 'pro'],
    maxReferenceImages: 2,
    supportsMultiShots: true,
    input: 'kling3',
    price: { type: 'table', table: { 'std:*': 1050, 'pro:*': 2100 } },
    estimatedSeconds: 180,
  },
  {
    id: 'sora-2',
    name: 'Sora-2',
    provider: 'kie',
    upstream: { text_to_video: 'sora-2-text-to-video', image_to_video: 'sora-2-image-to-video' },
    ratios: ['16:9', '9:16'],
    durations: [10, 15],
    resolutions: [],
    modes: [],
    maxReferenceImages: 4,
    supportsMultiShots: false,
    input: 'sora',
    price: { type: 'table', table: { '*:10': 30, '*:15': 40 } },
    estimatedSeconds: 180,
  },
  {
    id: 'sora-2-pro',
    name: 'Sora-2 Pro',
    provider: 'kie',
    upstream: { text_to_video: 'sora-2-pro-text-to-video', image_to_video: 'sora-2-pro-image-to-video' },
    ratios: ['16:9', '9:16'],
    durations: [10, 15],
    resolutions: [],
    // std = standard quality, pro = high quality.
    modes: ['std', 'pro'],
    maxReferenceImages: 4,
    supportsMultiShots: false,
    input: 'sora',
    price: { type: 'table', table: { 'std:10': 180, 'std:15': 270, 'pro:10': 400, 'pro:15': 800 } },
    estimatedSeconds: 300,
  },
];

/** Parses `ANIME_VIDEO_MODELS` (JSON array) or returns the defaults. */
export function loadVideoModels(json: string | undefined): VideoModelConfig[] {
  if (!json) return DEFAULT_VIDEO_MODELS;
  return z.array(videoModelSchema).min(1).parse(JSON.parse(json));
}
