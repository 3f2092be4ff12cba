import multer from 'multer';
import { imageParams, imageUploadDocBody, imageUploadResponse } from '@dreamloom/contracts';
import { AppError, ValidationError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContext } from '../http/context.js';
import { setStoredFileHeaders } from '../http/user-content.js';
import { actorOf, storyRouter } from './story-shared.js';

/** The multipart field `file` of a request, held in memory (at most `maxBytes`). */
export async function readUploadedFile(ctx: AppContext, maxBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 8 },
  }).single('file');
  const req = ctx.req as typeof ctx.req & { file?: Express.Multer.File };
  await new Promise<void>((resolve, reject) =>
    upload(req as never, ctx.res as never, (error: unknown) => (error ? reject(error) : resolve())),
  ).catch((error: unknown) => {
    if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE')
      throw new AppError('PAYLOAD_TOO_LARGE', `File larger than ${maxBytes} bytes`, { status: 413 });
    throw new ValidationError(
      `Invalid upload (${error instanceof multer.MulterError ? error.code : 'multipart'})`,
    );
  });
  if (!req.file) throw new ValidationError('Form field `file` is required');
  return req.file;
}

/**
 * Contract 002 images: upload (10 MB; jpg/png/gif/webp, stored re-encoded) and public serving
 * by filename or media id — uploads and generated outputs alike (shared with contract 004).
 */
export function storyImageRoutes(registry: ApiRegistry) {
  const router = storyRouter();
  registry.add(router, {
    method: 'post',
    path: '/api/v1/images/upload',
    tag: 'story-images',
    summary: 'Upload an image (multipart field `file`)',
    role: 'user',
    docBody: { schema: imageUploadDocBody, contentType: 'multipart/form-data' },
    response: imageUploadResponse,
    handler: async (ctx, { actor }) => {
      const file = await readUploadedFile(ctx, ctx.core.config.STORY_UPLOAD_MAX_BYTES);
      const stored = await ctx.core.story.media.uploadImage(actorOf(actor), {
        data: file.buffer,
        originalName: file.originalname,
      });
      return { url: stored.url, filename: stored.filename };
    },
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/images/:idOrFilename',
    tag: 'story-images',
    summary:
      'An image by filename (no authentication) or by media id (its owner, staff, or anyone for outputs of public generations)',
    params: imageParams,
    rawResponse: {
      contentType: 'image/*',
      description: 'The image bytes (Content-Type from the stored image)',
    },
    handler: async (ctx, { params, actor }) => {
      const image = await ctx.core.story.media.openImage(params.idOrFilename, actor);
      setStoredFileHeaders(ctx, image.mime);
      ctx.set('Content-Length', String(image.size));
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      return image.stream;
    },
  });
  return router;
}
