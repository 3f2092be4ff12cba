/** The engine's status re-checks of kie.ai tasks (defined with the engine's other jobs). */
export { PROVIDER_POLL_JOB, type ProviderPollJobPayload } from '../generation/generation.types.js';

/** What a video task keeps in its params (`request`) so the upstream call can be rebuilt. */
export interface VideoTaskRequest {
  model_id: string;
  task_subtype: 'text_to_video' | 'image_to_video';
  aspect_ratio: string;
  duration_seconds: number;
  resolution: string | null;
  mode: string | null;
  multi_shots: boolean;
  reference_image_urls: string[];
  /** Upstream input naming (see VideoModelConfig.input). */
  input_style: 'wan' | 'kling' | 'kling3' | 'sora';
  [key: string]: unknown;
}
