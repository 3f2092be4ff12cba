// Contract 004 (NanoBananaPro batch image API): batch generation (text, or with reference images),
// task status, history and search, deletes and the ZIP export. Success envelope
// `{code: 0, message: 'success', data}`. Refusals carry the contract's own Chinese texts, which
// clients compare: the custom messages below are part of the contract.
import { z, type ZodType } from 'zod';

/** Contract 004's success envelope. */
export const nanobananaEnvelope = <T extends ZodType>(data: T) =>
  z.object({ code: z.literal(0), message: z.literal('success'), data });

export const NANOBANANA_ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;
export const NANOBANANA_IMAGE_SIZES = ['1K', '2K', '4K'] as const;
export const NANOBANANA_MAX_COUNT = 100;
export const NANOBANANA_MAX_REF_IMAGES = 10;

const countSchema = z.coerce
  .number({ error: '生成数量必须在 1-100 张之间' })
  .int('生成数量必须在 1-100 张之间')
  .min(1, '生成数量必须在 1-100 张之间')
  .max(NANOBANANA_MAX_COUNT, '生成数量必须在 1-100 张之间');
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** POST /api/v1/generate/batch (JSON) and the text fields of batch-with-images (multipart). */
export const nanobananaBatchBody = z.object({
  prompt: z.string({ error: '请输入提示词' }).trim().min(1, '请输入提示词'),
  model: z.string({ error: '请指定模型' }).trim().min(1, '请指定模型').max(64),
  count: countSchema,
  apiKey: z.string({ error: '请提供 apiKey' }).trim().min(1, '请提供 apiKey').max(512),
  apiBase: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'apiBase 必须是 http(s) 地址' }).optional(),
  ),
  aspectRatio: optionalText.pipe(
    z
      .enum(NANOBANANA_ASPECT_RATIOS, {
        error: `aspectRatio 仅支持 ${NANOBANANA_ASPECT_RATIOS.join(', ')}`,
      })
      .optional(),
  ),
  imageSize: optionalText.pipe(
    z
      .enum(NANOBANANA_IMAGE_SIZES, { error: `imageSize 仅支持 ${NANOBANANA_IMAGE_SIZES.join(', ')}` })
      .optional(),
  ),
  /** JSON text mapped onto the SDK's generation config. */
  options: z.string({ error: 'options 必须是 JSON 字符串' }).optional(),
});
export type NanobananaBatchBody = z.input<typeof nanobananaBatchBody>;
/** batch-with-images as documented: the batch fields plus 1–10 `refImages` files. */
export const nanobananaBatchWithImagesBody = nanobananaBatchBody.extend({
  refImages: z.array(z.string().describe('binary')).max(NANOBANANA_MAX_REF_IMAGES),
});
export const nanobananaPageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(10),
});
export const nanobananaSearchQuery = nanobananaPageQuery.extend({ keyword: z.string().max(200).optional() });
export const nanobananaIdsBody = z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) });
export const nanobananaExportBody = z.object({
  imageIds: z.array(z.string().min(1).max(32)).min(1).max(1000),
});

export const NANOBANANA_STATUSES = ['processing', 'completed', 'failed', 'partial'] as const;
/** GeneratedImage (contract 004's data model). */
export const nanobananaImage = z.object({
  id: z.string(),
  taskId: z.string(),
  filePath: z.string(),
  thumbnailPath: z.string(),
  fileSize: z.number(),
  width: z.number(),
  height: z.number(),
  mimeType: z.string(),
  createdAt: z.string(),
});
export type NanobananaImage = z.infer<typeof nanobananaImage>;
/** GenerationTask (contract 004's data model). */
export const nanobananaTask = z.object({
  id: z.string(),
  prompt: z.string(),
  model: z.string(),
  totalCount: z.number(),
  completedCount: z.number(),
  status: z.enum(NANOBANANA_STATUSES),
  options: z.string(),
  errorMessage: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  images: z.array(nanobananaImage),
});
export type NanobananaTask = z.infer<typeof nanobananaTask>;
export const nanobananaHistoryPage = z.object({
  list: z.array(nanobananaTask),
  total: z.number(),
  page: z.number(),
});
export type NanobananaHistoryPage = z.infer<typeof nanobananaHistoryPage>;
export const nanobananaSearchPage = nanobananaHistoryPage.extend({
  pageSize: z.number(),
  keyword: z.string(),
});
export type NanobananaSearchPage = z.infer<typeof nanobananaSearchPage>;

export const nanobananaTaskResponse = nanobananaEnvelope(nanobananaTask);
export const nanobananaHistoryResponse = nanobananaEnvelope(nanobananaHistoryPage);
export const nanobananaSearchResponse = nanobananaEnvelope(nanobananaSearchPage);
/** Deletes answer `data: null`. */
export const nanobananaDoneResponse = nanobananaEnvelope(z.null());

/** The progress message of the raw WebSocket `/api/v1/ws/generate/:taskId`. */
export const nanobananaProgressMessage = z.object({
  type: z.enum(['progress', 'complete', 'error']),
  taskId: z.string(),
  completedCount: z.number(),
  totalCount: z.number(),
  latestImage: nanobananaImage.nullable(),
  message: z.string(),
});
export type NanobananaProgressMessage = z.infer<typeof nanobananaProgressMessage>;
