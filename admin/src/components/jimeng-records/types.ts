import type { JimengRecordView } from '@dreamloom/contracts';

export const RECORD_TYPES = ['image', 'video'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** 0 pending, 1 processing, 2 completed, 3 failed, 4 cancelled (contract 003 §6). */
export const GENERATION_STATUSES = [0, 1, 2, 3, 4] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** One image or video record of `records/list` and `records/detail` (contract 003 §6). */
export type GenerationRecord = JimengRecordView;

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
