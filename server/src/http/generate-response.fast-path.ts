import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContextExtras } from './context.js';
import { parse } from './api-registry.js';
import { openSse } from './sse.js';
import {
  NodeExchange,
  compose,
  requestPipeline,
  requireRole,
  type Exchange,
  type Next,
} from './pipeline/index.js';
import { actorOf } from '../routes/story-shared.js';
import {
  GENERATE_RESPONSE_PATH,
  generateResponse,
  generateResponseBody,
} from '../routes/story-chat.routes.js';

/** The JSON body limit of the Koa stack's body parser (a larger body is left to it: 413). */
const BODY_LIMIT = 2 * 1024 * 1024;

/**
 * `POST /api/v1/story_chat/generate-response` served beside Koa rather than through it.
 *
 * Time to first token is this product's latency figure, and when many members talk at once the
 * replies arrive together: each waits for the CPU the server spends on the requests ahead of it
 * before its own upstream call leaves. Measured by `npm run bench:chat`, the general stack (ten
 * middleware, sixteen routers matched in turn, the body parser's streams) was most of that cost
 * per request. This path runs the same request pipeline (pipeline/index.ts: every stage the Koa
 * app mounts, the story routes' admission, the route's role, schema and handler) and keeps only
 * the transport: the exact match, the body read without Koa's parser, and writing the answer. It
 * takes only a plain JSON POST to the exact path; anything else (a query string, another content
 * type, a body over the limit) goes to the Koa route, which stays registered and documented.
 *
 * Returns false when the request is not for this path.
 */
export function generateResponseFastPath(app: AppContextExtras) {
  const run = compose([
    ...requestPipeline.edge,
    ...requestPipeline.guard,
    readJsonBody,
    ...requestPipeline.caller,
    ...requestPipeline.storyRoute,
    // The Koa route's declaration (story-chat.routes.ts): role 'user', then body and handler.
    requireRole('user'),
    reply,
  ]);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== GENERATE_RESPONSE_PATH) return false;
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return false;
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) return false;
    const x = new NodeExchange(app, req, res, GENERATE_RESPONSE_PATH);
    // The template the Koa router would have matched: one metrics series, whichever path served it.
    x._matchedRoute = GENERATE_RESPONSE_PATH;
    run(x).then(
      () => x.answer(),
      () => x.fail(),
    );
    return true;
  };
}

/** Where Koa's body parser sits: the body as JSON ({} when empty). */
async function readJsonBody(x: Exchange, next: Next) {
  x.request.body = await readJson(x.req);
  return next();
}

/** The route's handler, with its body schema. */
function reply(x: Exchange) {
  return generateResponse(
    x.core,
    actorOf(x.state.actor),
    parse(generateResponseBody, x.request.body, 'body'),
    () => openSse(x),
    () => x.state.log,
  );
}

/** The request body as JSON ({} when empty); malformed JSON is a 400, an oversized body a 413. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) return void chunks.push(chunk);
      // The rest is read and dropped, so the 413 can still be answered on this connection.
      req.off('data', onData);
      req.resume();
      reject(Object.assign(new Error('request entity too large'), { status: 413 }));
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(Object.assign(new Error('Malformed request body'), { status: 400 }));
      }
    });
  });
}
