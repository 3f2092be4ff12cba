export const RECORD_TYPES = ['image', 'video'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** 0 pending, 1 processing, 2 completed, 3 failed, 4 cancelled (contract 003 §6). */
export const GENERATION_STATUSES = [0, 1, 2, 3, 4] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** One image or video record of `records/list` and `records/detail`. */
export interface GenerationRecord {
  id: string;
  project_id?: string;
  project_name?: string;
  storyboard_id?: string;
  work_id?: string;
  batch_id?: string | null;
  model?: string;
  prompt?: string;
  negative_prompt?: string | null;
  ratio?: string | null;
  resolution?: string | null;
  duration?: number | null;
  input_images?: string[];
  generation_status: GenerationStatus | number;
  site_used?: string | number | null;
  image_urls?: string[];
  video_urls?: string[];
  thumbnail_urls?: string[];
  account_id?: string | null;
  account_name?: string | null;
  generation_time?: number | null;
  site_switch_count?: number;
  retry_count?: number;
  error_message?: string | null;
  callback_url?: string | null;
  create_time?: string;
  update_time?: string;
  /** create_time and update_time as ISO 8601 instants: what the admin shows. */
  create_time_iso?: string | null;
  update_time_iso?: string | null;
  [extra: string]: unknown;
}

export interface RegenerateInput {
  storyboard_id: string;
  project_id?: string;
  project_name?: string;
  work_id?: string;
  prompt?: string;
  model?: string;
  ratio?: string;
  resolution?: string;
  duration?: number;
  input_images?: string[];
}

export function resultUrls(record: Pick<GenerationRecord, 'image_urls' | 'video_urls'>): string[] {
  return [...(record.image_urls ?? []), ...(record.video_urls ?? [])];
}

export function isRecordType(value: unknown): value is RecordType {
  return value === 'image' || value === 'video';
}
