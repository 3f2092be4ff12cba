import { runJob, type ImagineDeps, type ImagineOutcome, type JobCardSink } from './imagine.handler.js';
import type { PlatformUser } from './dreamloom-client.js';

/** Contract 001's video model ids, the first being the default. */
export const VIDEO_MODELS = [
  'kling/video-v2.5',
  'wan/2.5',
  'kling-3.0/video',
  'sora-2',
  'sora-2-pro',
] as const;
export const DEFAULT_VIDEO_MODEL = VIDEO_MODELS[0];

export interface VideoRequest {
  user: PlatformUser;
  prompt: string;
  /** Default {@link DEFAULT_VIDEO_MODEL}. */
  modelId?: string;
  /** The model's display name for the card (the id when left out). */
  modelName?: string;
  durationSeconds?: number;
  /** 720p / 1080p, for models with resolutions. */
  resolution?: string;
  /** std / pro, for models with modes. */
  mode?: string;
  aspectRatio?: string;
  /** Public URLs of the first (and optionally last) frame. */
  frameUrls?: string[];
  /** Who asked, as the card shows it (groups, Discord). */
  requestedBy?: string;
}

/**
 * The `/video` flow: the server charges the quote when it accepts the task, so the card
 * shows the credits from the start, then progress, then the MP4.
 */
export function runVideo(
  deps: ImagineDeps,
  request: VideoRequest,
  sink: JobCardSink,
): Promise<ImagineOutcome> {
  return runJob(
    deps,
    {
      user: request.user,
      prompt: request.prompt,
      context: {
        requestedBy: request.requestedBy,
        model: request.modelName ?? request.modelId ?? DEFAULT_VIDEO_MODEL,
        ratio: request.aspectRatio,
        resolution: request.resolution ?? request.mode,
        durationSeconds: request.durationSeconds,
        origin: request.frameUrls?.length ? 'Starts from your photo' : undefined,
      },
      create: async (user) => {
        const created = await deps.dreamloom.createVideoTask(user, {
          prompt: request.prompt,
          modelId: request.modelId ?? DEFAULT_VIDEO_MODEL,
          durationSeconds: request.durationSeconds,
          aspectRatio: request.aspectRatio,
          resolution: request.resolution,
          mode: request.mode,
          referenceImageUrls: request.frameUrls?.length ? request.frameUrls : undefined,
        });
        return { taskId: created.taskId, status: created.status, creditsUsed: created.creditsCost };
      },
    },
    sink,
  );
}

/** True when the delivered media is a video (platforms upload it differently from images). */
export function isVideo(file: { contentType: string }): boolean {
  return file.contentType.startsWith('video/');
}
