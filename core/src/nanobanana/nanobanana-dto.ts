import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { MediaAssetRecord } from '../media/media-asset.js';
import type { GeneratedImageDto, GenerationTaskDto, NanobananaStatus } from './nanobanana.types.js';

/** Contract 004's three end states; a cancelled task reads as failed, anything else as processing. */
export function contractStatus(status: string): NanobananaStatus {
  if (status === 'completed' || status === 'failed' || status === 'partial') return status;
  if (status === 'cancelled') return 'failed';
  return 'processing';
}

/** Paths are server-relative URLs: `/media/…` serves them (keys hold a random task uuid). */
export function imageDto(asset: {
  id: string;
  task_id: string | null;
  storage_key: string;
  thumbnail_key: string | null;
  size_bytes: number;
  width: number | null;
  height: number | null;
  mime: string;
  created_at: Date | string;
}): GeneratedImageDto {
  return {
    id: asset.id,
    taskId: asset.task_id ?? '',
    filePath: `/media/${asset.storage_key}`,
    thumbnailPath: asset.thumbnail_key ? `/media/${asset.thumbnail_key}` : '',
    fileSize: asset.size_bytes,
    width: asset.width ?? 0,
    height: asset.height ?? 0,
    mimeType: asset.mime,
    createdAt: new Date(asset.created_at).toISOString(),
  };
}

/** A task as contract 004 answers it, with its images (by position) and its `options` text. */
export function taskDto(
  task: GenerationTaskRecord,
  assets: MediaAssetRecord[],
  options: string,
): GenerationTaskDto {
  return {
    id: task.id,
    prompt: task.prompt,
    model: task.model,
    totalCount: task.requested_count,
    completedCount: task.completed_count ?? 0,
    status: contractStatus(task.status),
    options,
    errorMessage: task.error_message ?? '',
    createdAt: new Date(task.created_at).toISOString(),
    updatedAt: new Date(task.updated_at).toISOString(),
    images: assets.map((asset) => imageDto(asset)),
  };
}
