/** Contract 004 (NanoBananaPro batch image API) data shapes and accepted values. */

export const NANOBANANA_SOURCE = 'nanobanana';
export const ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;
export const IMAGE_SIZES = ['1K', '2K', '4K'] as const;
export const MAX_COUNT = 100;
export const MAX_REF_IMAGES = 10;

/** Owner of the shared anonymous workspace (NANOBANANA_ANONYMOUS=true): a fixed system user. */
export const ANONYMOUS_WORKSPACE_USER_ID = '00000000-0000-4000-8000-0000000b4004';

export type NanobananaStatus = 'processing' | 'completed' | 'failed' | 'partial';

export interface GeneratedImageDto {
  id: string;
  taskId: string;
  filePath: string;
  thumbnailPath: string;
  fileSize: number;
  width: number;
  height: number;
  mimeType: string;
  createdAt: string;
}

export interface GenerationTaskDto {
  id: string;
  prompt: string;
  model: string;
  totalCount: number;
  completedCount: number;
  status: NanobananaStatus;
  options: string;
  errorMessage: string;
  createdAt: string;
  updatedAt: string;
  images: GeneratedImageDto[];
}

/** Whose tasks a call may see: one workspace, or every workspace (admins). */
export type NanobananaScope = { ownerKey: string } | { all: true };

export interface CreateBatchInput {
  prompt: string;
  model: string;
  count: number;
  apiKey: string;
  apiBase?: string;
  aspectRatio?: string;
  imageSize?: string;
  /** JSON text mapped onto the SDK's generation config. */
  options?: string;
  refImages?: { data: Buffer; originalName?: string }[];
}

export interface ExportEntry {
  name: string;
  storageKey: string;
}
