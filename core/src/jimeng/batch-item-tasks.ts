/**
 * How a storyboard item becomes a record's fields and the generation task that runs it: shared by
 * a batch's submission, its retry and a storyboard's regeneration, so all three run a storyboard
 * the same way (same defaults, same task params, same exclusive key).
 */
import { ValidationError } from '../errors.js';
import type { NewTaskSpec } from '../generation/generation.service.js';
import type { ImageTaskParams } from '../generation/generation.types.js';
import type { JimengRecord } from './jimeng.repository.js';
import {
  DEFAULTS,
  recordTypeOf,
  type BatchItemInput,
  type BatchType,
  type CreateBatchInput,
} from './jimeng.types.js';

/** A record's generation settings, as a submission or a retry gives them. */
export type RecordFields = ReturnType<typeof recordFields>;

/** Only one run of a storyboard at a time, across every worker (§13.6). */
export function exclusiveKey(
  record: Pick<JimengRecord, 'create_by' | 'type' | 'work_id' | 'storyboard_id'>,
): string {
  return `jimeng:${record.create_by}:${record.type}:${record.work_id}:${record.storyboard_id}`;
}

/** The input images a batch type takes: 1–10 for image compose, 1–2 frames for video, none otherwise. */
export function validateItem(batchType: BatchType, item: BatchItemInput, index: number): void {
  const images = item.input_images ?? [];
  if (batchType === 'image_compose' && (images.length < 1 || images.length > 10)) {
    throw new ValidationError(`batch_data[${index}].input_images must have 1–10 images`);
  }
  if (batchType === 'video_compose' && (images.length < 1 || images.length > 2)) {
    throw new ValidationError(
      `batch_data[${index}].input_images must have 1 (first frame) or 2 (first and last) images`,
    );
  }
  if ((batchType === 'image_generate' || batchType === 'video_generate') && images.length) {
    throw new ValidationError(`batch_data[${index}].input_images belongs in a compose batch`);
  }
}

/** A submitted item's settings: its own, else the batch's global config, else the type's defaults. */
export function recordFields(
  batchType: BatchType,
  item: BatchItemInput,
  input: CreateBatchInput,
  defaultImageModel: string,
  global: CreateBatchInput['global_config'] = {},
) {
  const type = recordTypeOf(batchType);
  const isImage = type === 'image';
  return {
    type,
    mode: batchType,
    model: item.model ?? global.model ?? (isImage ? defaultImageModel : DEFAULTS.video.model),
    prompt: item.prompt,
    negative_prompt: item.negative_prompt ?? null,
    ratio: item.ratio ?? global.ratio ?? (isImage ? DEFAULTS.image.ratio : DEFAULTS.video.ratio),
    resolution:
      item.resolution ??
      global.resolution ??
      (isImage ? DEFAULTS.image.resolution : DEFAULTS.video.resolution),
    duration: isImage ? null : (item.duration ?? global.duration ?? DEFAULTS.video.duration),
    sample_strength: item.sample_strength ?? null,
    intelligent_ratio: item.intelligent_ratio ?? null,
    input_images: item.input_images?.length ? JSON.stringify(item.input_images) : null,
    project_id: input.project_id ?? null,
    project_name: input.project_name ?? null,
    callback_url: global.callback_url ?? null,
  } satisfies Partial<JimengRecord>;
}

/** A stored record's settings, to run it again as it was submitted. */
export function recordFieldsOf(record: JimengRecord): RecordFields {
  return {
    type: record.type,
    mode: record.mode,
    model: record.model,
    prompt: record.prompt,
    negative_prompt: record.negative_prompt,
    ratio: record.ratio ?? DEFAULTS.image.ratio,
    resolution: record.resolution ?? DEFAULTS.image.resolution,
    duration: record.duration,
    sample_strength: record.sample_strength,
    intelligent_ratio: record.intelligent_ratio,
    input_images: record.input_images,
    project_id: record.project_id,
    project_name: record.project_name,
    callback_url: record.callback_url,
  } as RecordFields;
}

/** The generation task that runs one storyboard record. */
export function taskSpec(
  userId: string,
  taskId: string,
  type: 'image' | 'video',
  fields: RecordFields,
  global: CreateBatchInput['global_config'] = {},
  priority: number,
  batchId: string | null,
  exclusive: string,
): NewTaskSpec {
  const images = fields.input_images ? (JSON.parse(fields.input_images) as string[]) : undefined;
  const strategy = global.account_strategy ?? {};
  const params: ImageTaskParams = {
    ratio: fields.ratio,
    resolution: fields.resolution,
    negativePrompt: fields.negative_prompt ?? undefined,
    sampleStrength: fields.sample_strength ?? undefined,
    intelligentRatio: fields.intelligent_ratio ?? undefined,
    referenceImages: type === 'image' ? images : undefined,
    frames: type === 'video' ? images : undefined,
    duration: fields.duration ?? undefined,
    keepAllOutputs: true,
    exclusiveKey: exclusive,
    accountStrategy: strategy.load_balance,
    maxConcurrentPerAccount: strategy.max_concurrent_per_account,
    rateLimitHandling: strategy.rate_limit_handling,
  };
  return {
    id: taskId,
    userId,
    source: 'jimeng',
    kind: type,
    provider: 'jimeng',
    model: fields.model,
    prompt: fields.prompt,
    params,
    count: 1,
    priority,
    batchId,
  };
}
