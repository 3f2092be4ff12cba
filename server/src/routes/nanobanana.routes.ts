import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import multer from 'multer';
import yazl from 'yazl';
import { z, type ZodType } from 'zod';
import {
  nanobananaBatchBody,
  nanobananaBatchWithImagesBody,
  nanobananaDoneResponse,
  nanobananaExportBody,
  nanobananaHistoryResponse,
  nanobananaIdsBody,
  nanobananaPageQuery,
  nanobananaSearchQuery,
  nanobananaSearchResponse,
  nanobananaTaskResponse,
} from '@dreamloom/contracts';
import {
  ANONYMOUS_WORKSPACE_USER_ID,
  AppError,
  BAD_PARAMETERS_MESSAGE,
  INVALID_REQUEST_MESSAGE,
  MAX_REF_IMAGES,
  NanobananaNotFoundError,
  UnauthorizedError,
  ValidationError,
  refImageTooLargeMessage,
  type NanobananaScope,
} from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContext, AppContextExtras, AppRouterContext, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';
import { snowflakeId, uuidId } from '../http/ids.js';
import { assertCleanBody } from '../http/hostile-input.js';
import { setStoredFileHeaders, setUserContentPolicy } from '../http/user-content.js';

const TAG = 'nanobanana';
const BAD_REQUEST = INVALID_REQUEST_MESSAGE;

/** Which tasks the caller sees: admins all, a signed-in caller theirs, anonymous the shared workspace. */
export function nanobananaScope(ctx: AppContext): NanobananaScope {
  const actor = ctx.state.actor;
  if (actor) return actor.role === 'admin' ? { all: true } : { ownerKey: actor.id };
  if (ctx.core.config.NANOBANANA_ANONYMOUS) return { ownerKey: ANONYMOUS_WORKSPACE_USER_ID };
  throw new UnauthorizedError('请先登录 (Authorization: Bearer <token>)');
}

function ownerOf(ctx: AppContext): string {
  const scope = nanobananaScope(ctx);
  return 'ownerKey' in scope ? scope.ownerKey : ctx.state.actor!.id;
}

/**
 * Parses with the contract's wording: a custom issue message wins, else the documented generic
 * one, exactly (clients compare the text). `documentedOnly`: the route documents only the generic
 * message, so no custom one is shown either.
 */
function parseBody<T>(schema: ZodType<T>, value: unknown, fallback = BAD_REQUEST, documentedOnly = false): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const custom =
    !documentedOnly && issue && !issue.message.startsWith('Invalid') && !issue.message.startsWith('Too')
      ? issue.message
      : null;
  throw new ValidationError(custom ?? fallback, result.error.issues);
}

/**
 * batch-with-images documents one 400 text for every refusal (missing field, bad count, unreadable
 * image): its handler's validation errors all answer it; the issues stay in the error's details.
 */
async function withDocumentedRefusal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.status === 400 && error.message !== BAD_REQUEST)
      throw new ValidationError(BAD_REQUEST, { refused: error.message });
    throw error;
  }
}

/** Task ids are UUIDs and image ids snowflakes; a malformed one is the contract's 404 (see notFound). */
const taskIdParams = z.object({ id: uuidId });
const imageIdParams = z.object({ id: snowflakeId });
const notFound = (message: string) => () => new NanobananaNotFoundError(message);

/**
 * The JSON body of a DELETE (the shared body parser reads POST/PUT/PATCH only); 1 MB at most.
 * Malformed JSON is the contract's `参数错误`.
 */
async function deleteBody(ctx: AppContext): Promise<unknown> {
  if (ctx.request.body !== undefined && Object.keys(ctx.request.body as object).length > 0)
    return ctx.request.body;
  if (!ctx.is('application/json')) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1024 * 1024) throw new AppError('PAYLOAD_TOO_LARGE', BAD_PARAMETERS_MESSAGE, { status: 413 });
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new ValidationError(BAD_PARAMETERS_MESSAGE);
  }
  // The body parser (and its rejectHostileBody) skips DELETE: the same check here.
  assertCleanBody(body);
  return body;
}

/** Runs multer on the raw request; its errors become the contract's 400. */
async function readMultipart(ctx: AppContext, maxBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: MAX_REF_IMAGES, fields: 32, fieldSize: 1024 * 1024 },
  }).array('refImages', MAX_REF_IMAGES);
  const req = ctx.req as typeof ctx.req & { body?: Record<string, unknown>; files?: Express.Multer.File[] };
  await new Promise<void>((resolve, reject) =>
    upload(req as never, ctx.res as never, (error: unknown) => (error ? reject(error) : resolve())),
  ).catch((error: unknown) => {
    if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE')
      throw new ValidationError(refImageTooLargeMessage(maxBytes));
    throw new ValidationError(BAD_REQUEST, {
      multipart: error instanceof multer.MulterError ? error.code : 'malformed',
    });
  });
  // Multipart fields skip the body parser (and its rejectHostileBody): the same check here.
  assertCleanBody(req.body);
  return { fields: req.body ?? {}, files: req.files ?? [] };
}

/** Contract 004 (NanoBananaPro batch image API): generation, history, search and images. */
export function nanobananaRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();

  registry.add(router, {
    method: 'post',
    path: '/api/v1/generate/batch',
    tag: TAG,
    summary: 'Create a batch image task (Gemini with the caller’s apiKey); count 1–100 fans out',
    docBody: { schema: nanobananaBatchBody, contentType: 'application/json' },
    response: nanobananaTaskResponse,
    handler: async (ctx) => {
      const owner = ownerOf(ctx);
      const input = parseBody(nanobananaBatchBody, ctx.request.body);
      return ok.nanobanana(await ctx.core.nanobanana.submit.createBatch(owner, input));
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/generate/batch-with-images',
    tag: TAG,
    summary: 'Create a batch image-to-image task with 1–10 reference images (multipart refImages)',
    docBody: { schema: nanobananaBatchWithImagesBody, contentType: 'multipart/form-data' },
    response: nanobananaTaskResponse,
    handler: async (ctx) => {
      const owner = ownerOf(ctx);
      const task = await withDocumentedRefusal(async () => {
        if (!ctx.is('multipart/form-data')) throw new ValidationError(BAD_REQUEST);
        const { fields, files } = await readMultipart(ctx, ctx.core.config.NANOBANANA_REF_IMAGE_MAX_BYTES);
        const input = parseBody(nanobananaBatchBody, fields);
        return ctx.core.nanobanana.submit.createBatch(owner, {
          ...input,
          refImages: files.map((file) => ({ data: file.buffer, originalName: file.originalname })),
        });
      });
      return ok.nanobanana(task);
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/generate/status/:taskId',
    tag: TAG,
    summary: 'Task status with its images',
    params: z.object({ taskId: uuidId }),
    malformedParams: notFound('任务不存在'),
    response: nanobananaTaskResponse,
    handler: async (ctx, { params }) =>
      ok.nanobanana(
        await ctx.core.nanobanana.tasks.getTask(nanobananaScope(ctx), params.taskId, '任务不存在'),
      ),
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/history',
    tag: TAG,
    summary: 'History, newest first',
    query: nanobananaPageQuery,
    response: nanobananaHistoryResponse,
    handler: async (ctx, { query }) =>
      ok.nanobanana(
        await ctx.core.nanobanana.tasks.history(nanobananaScope(ctx), query.page, query.pageSize),
      ),
  });

  // Before /history/:id so that `search` and `batch` are not taken for ids.
  registry.add(router, {
    method: 'get',
    path: '/api/v1/history/search',
    tag: TAG,
    summary:
      'Full-text search of prompts (jieba tokens; FTS5 on SQLite, an inverted index on MySQL/MariaDB), by relevance',
    query: nanobananaSearchQuery,
    response: nanobananaSearchResponse,
    handler: async (ctx, { query }) => {
      const scope = nanobananaScope(ctx);
      if (!query.keyword?.trim()) throw new ValidationError('请输入搜索关键词');
      return ok.nanobanana(
        await ctx.core.nanobanana.tasks.search(scope, query.keyword, query.page, query.pageSize),
      );
    },
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/v1/history/batch',
    tag: TAG,
    summary: 'Delete several tasks with their images',
    docBody: { schema: nanobananaIdsBody, contentType: 'application/json' },
    response: nanobananaDoneResponse,
    handler: async (ctx) => {
      const scope = nanobananaScope(ctx);
      const { ids } = parseBody(nanobananaIdsBody, await deleteBody(ctx), BAD_PARAMETERS_MESSAGE, true);
      await ctx.core.nanobanana.removal.deleteTasks(scope, ids);
      return ok.nanobanana(null);
    },
  });

  registry.add(router, {
    method: 'get',
    path: '/api/v1/history/:id',
    tag: TAG,
    summary: 'One task with all its images',
    params: taskIdParams,
    malformedParams: notFound('记录不存在'),
    response: nanobananaTaskResponse,
    handler: async (ctx, { params }) =>
      ok.nanobanana(await ctx.core.nanobanana.tasks.getTask(nanobananaScope(ctx), params.id, '记录不存在')),
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/v1/history/:id',
    tag: TAG,
    summary: 'Delete a task with its images and files',
    params: taskIdParams,
    malformedParams: notFound('记录不存在'),
    response: nanobananaDoneResponse,
    handler: async (ctx, { params }) => {
      await ctx.core.nanobanana.removal.deleteTask(nanobananaScope(ctx), params.id);
      return ok.nanobanana(null);
    },
  });

  registry.add(router, {
    method: 'post',
    path: '/api/v1/images/export',
    tag: TAG,
    summary: 'Stream images as a ZIP (errors after the headers arrive as text/plain)',
    docBody: { schema: nanobananaExportBody, contentType: 'application/json' },
    rawResponse: { contentType: 'application/zip', description: 'images.zip, streamed (attachment)' },
    handler: async (ctx) => {
      const scope = nanobananaScope(ctx);
      const { imageIds } = parseBody(nanobananaExportBody, ctx.request.body, BAD_PARAMETERS_MESSAGE, true);
      const entries = await ctx.core.nanobanana.images.exportEntries(scope, imageIds);
      const { storage } = ctx.core;
      for (const entry of entries) {
        if (!(await storage.exists(entry.storageKey))) {
          ctx.status = 500;
          ctx.type = 'text/plain; charset=utf-8';
          return `导出失败: 图片文件缺失 ${entry.name}`;
        }
      }
      const zip = new yazl.ZipFile();
      const body = new PassThrough();
      const fail = (error: unknown) => {
        ctx.state.log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'zip export failed',
        );
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      };
      zip.on('error', fail);
      for (const entry of entries) {
        // Lazy: each file is opened only when the ZIP reaches it, so memory and descriptors stay flat.
        zip.addReadStreamLazy(entry.name, { compress: false }, (callback) => {
          storage.stream(entry.storageKey).then(
            ({ stream }) => {
              stream.on('error', fail);
              callback(null, stream);
            },
            (error: unknown) =>
              callback(error instanceof Error ? error : new Error(String(error)), undefined as never),
          );
        });
      }
      zip.end();
      zip.outputStream.on('error', fail).pipe(body);
      ctx.status = 200;
      setUserContentPolicy(ctx);
      ctx.set('Content-Type', 'application/zip');
      ctx.set('Content-Disposition', 'attachment; filename=images.zip');
      return body;
    },
  });

  const sendImage = async (ctx: AppRouterContext, attachment: boolean) => {
    const asset = await ctx.core.nanobanana.images.findImage(nanobananaScope(ctx), ctx.params.id!);
    const { stream, size } = await ctx.core.storage.stream(asset.storage_key);
    setStoredFileHeaders(ctx, asset.mime);
    ctx.set('Content-Length', String(size));
    ctx.set('Cache-Control', 'private, max-age=3600');
    if (attachment)
      ctx.set(
        'Content-Disposition',
        `attachment; filename=${asset.id}.${asset.storage_key.split('.').pop()}`,
      );
    ctx.body = stream;
  };

  registry.add(router, {
    method: 'get',
    path: '/api/v1/images/:id/download',
    tag: TAG,
    summary: 'Download an image (Content-Disposition: attachment)',
    params: imageIdParams,
    rawResponse: { contentType: 'image/*', description: 'The image file (attachment)' },
    malformedParams: notFound('图片不存在'),
    handler: (ctx) => sendImage(ctx, true),
  });

  // `GET /api/v1/images/:idOrFilename` is shared with contract 002 (DESIGN.md) and documented by
  // its router. Ids of contract 004 images are answered here (scoped, 404 in this contract's words);
  // file names and other media ids fall through to contract 002's handler.
  router.get('/api/v1/images/:id', async (ctx, next) => {
    const id = ctx.params.id!;
    if (!/^\d{1,20}$/.test(id) || (await ctx.core.nanobanana.images.imageOwner(id)) === 'other') {
      // What contract 002 does not know either is missing in this path's contract too: 图片不存在.
      try {
        return await next();
      } catch (error) {
        if (error instanceof AppError && error.status === 404)
          throw new NanobananaNotFoundError('图片不存在');
        throw error;
      }
    }
    await sendImage(ctx, false); // 404 图片不存在 for unknown ids
  });

  registry.add(router, {
    method: 'delete',
    path: '/api/v1/images/:id',
    tag: TAG,
    summary: 'Delete an image (file, thumbnail, row); the task’s completedCount drops by one, never below 0',
    params: imageIdParams,
    malformedParams: notFound('图片不存在'),
    response: nanobananaDoneResponse,
    handler: async (ctx, { params }) => {
      await ctx.core.nanobanana.images.deleteImage(nanobananaScope(ctx), params.id);
      return ok.nanobanana(null);
    },
  });

  return router;
}
